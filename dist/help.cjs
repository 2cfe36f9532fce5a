"use strict";var h=Object.defineProperty;var O=Object.getOwnPropertyDescriptor;var k=Object.getOwnPropertyNames;var F=Object.prototype.hasOwnProperty;var c=(e,n)=>h(e,"name",{value:n,configurable:!0});var L=(e,n)=>{for(var t in n)h(e,t,{get:n[t],enumerable:!0})},j=(e,n,t,i)=>{if(n&&typeof n=="object"||typeof n=="function")for(let r of k(n))!F.call(e,r)&&r!==t&&h(e,r,{get:()=>n[r],enumerable:!(i=O(n,r))||i.enumerable});return e};var G=e=>j(h({},"__esModule",{value:!0}),e);var N={};L(N,{helpTarget:()=>M,renderHelp:()=>S,tryFastHelp:()=>U});module.exports=G(N);var E=require("node:fs");var l={Ok:0,Internal:1,Usage:2,Prerequisite:3,ToolFailed:4,Timeout:5,VerificationFailed:6,Interrupted:130},b=[[l.Ok,"success"],[l.Internal,"unexpected internal error (a bug: please report it)"],[l.Usage,"bad input: unknown flag/profile/module, invalid config file, confirmation refused"],[l.Prerequisite,"missing prerequisite: tool not installed, daemon unreachable, port busy, target not running, a required doctor check failed"],[l.ToolFailed,"an external tool (docker, compose, kind, kubectl, skaffold, helm) failed"],[l.Timeout,"timed out waiting for health or readiness"],[l.VerificationFailed,"verification failed: the HA integration did not load"],[l.Interrupted,"interrupted (Ctrl-C)"]],$=class extends Error{static{c(this,"KpError")}hint;exitCode;details;constructor(n,t={}){super(n,t.cause===void 0?void 0:{cause:t.cause}),this.name="KpError",this.hint=t.hint,this.exitCode=t.exitCode??l.Internal,this.details=t.details}};var m=c(e=>(n,t,i={})=>new $(n,{hint:t,exitCode:e,...i}),"make"),D={internal:m(l.Internal),usage:m(l.Usage),prerequisite:m(l.Prerequisite),toolFailed:m(l.ToolFailed),timeout:m(l.Timeout),verification:m(l.VerificationFailed),withCode:c((e,n,t,i={})=>new $(n,{hint:t,exitCode:e,...i}),"withCode")};var v=new Set(["--help","-h"]);function M(e,n,t){let i=e.filter(a=>!a.startsWith("-")),r=e.some(a=>v.has(a))||i[0]==="help"||e.length===0,s=i[0]==="help"?i.slice(1):i,u=s.join(":");if(r&&(u===""||n.commands[u]||t.includes(u))||!r&&s.length===1&&e.length===1&&t.includes(u))return s}c(M,"helpTarget");function I(e,n,t=100){let i=[];for(let r of e.split(`
`)){let s="";for(let u of r.split(/\s+/).filter(Boolean))s&&s.length+u.length+1>t-n?(i.push(s),s=u):s=s?`${s} ${u}`:u;i.push(s)}return i.map(r=>`${" ".repeat(n)}${r}`).join(`
`)}c(I,"wrap");function p(e,n=2){let t=Math.max(...e.map(([i])=>i.length));return e.map(([i,r])=>`${" ".repeat(n)}${i.padEnd(t)}  ${r}`).join(`
`)}c(p,"table");function w(e){let n=e.allowNo?`--[no-]${e.name}`:`--${e.name}`,t=e.type==="option"?`=${e.helpValue??e.name.toUpperCase().replace(/-/g,"_")}${e.multiple?"...":""}`:"";return`${e.char?`-${e.char}, `:"    "}${n}${t}`}c(w,"flagLabel");function A(e){let n=e.default!==void 0&&e.type==="option"?` [default: ${String(e.default)}]`:"";return`${e.description??""}${n}`}c(A,"flagText");function R(){return`EXIT CODES
${p(b.map(([e,n])=>[String(e),n]))}`}c(R,"exitCodes");function S(e,n,t){let i=t.oclif.bin,r=t.oclif.topics??{},s=e.join(":"),u=Object.values(n.commands).filter(d=>!d.hidden).sort((d,g)=>d.id.localeCompare(g.id)),a=n.commands[s];if(a){let d=Object.values(a.flags).filter(o=>!o.hidden),g=d.filter(o=>o.helpGroup!=="GLOBAL"),C=d.filter(o=>o.helpGroup==="GLOBAL"),x=Object.values(a.args),T=`$ ${i} ${e.join(" ")}${x.map(o=>` [${o.name.toUpperCase()}${a.strict===!1?"...":""}]`).join("")} [FLAGS]`,f=[a.summary??a.description??"",`USAGE
  ${T}`];return x.length>0&&f.push(`ARGUMENTS
${p(x.map(o=>[o.name.toUpperCase(),o.description??""]))}`),g.length>0&&f.push(`FLAGS
${p(g.map(o=>[w(o),A(o)]))}`),C.length>0&&f.push(`GLOBAL FLAGS
${p(C.map(o=>[w(o),A(o)]))}`),a.summary&&a.description&&f.push(`DESCRIPTION
${I(a.description,2)}`),a.examples?.length&&f.push(`EXAMPLES
${a.examples.map(o=>`  $ ${o.replace("<%= config.bin %>",i)}`).join(`
`)}`),f.push(`Exit codes: see \`${i} --help\`.`),`${f.filter(Boolean).join(`

`)}
`}let y=(s?u.filter(d=>d.id.startsWith(`${s}:`)):u).map(d=>[d.id.replace(/:/g," "),(d.summary??d.description??"").split(`
`)[0]]);return s?`${r[s]?.description??""}

USAGE
  $ ${i} ${s} COMMAND

COMMANDS
${p(y)}
`:[`${i}/${t.version} \u2014 ${t.description??""}`,`USAGE
  $ ${i} COMMAND [FLAGS]`,`TOPICS
${p(Object.entries(r).map(([d,g])=>[d,g.description]))}`,`COMMANDS
${p(y)}`,`GLOBAL FLAGS (every command)
${p([["--json","print only the result object as JSON on stdout"],["--verbose","echo every external command to stderr (secrets redacted)"],["--dry-run","print the mutating commands and run none (read-only probes still run)"],["-h, --help","show help for a command"]])}`,R(),`Run \`${i} COMMAND --help\` for a command's flags and examples.`].join(`

`)+`
`}c(S,"renderHelp");function U(e,n){let t,i;try{t=JSON.parse((0,E.readFileSync)(new URL("oclif.manifest.json",n),"utf8")),i=JSON.parse((0,E.readFileSync)(new URL("package.json",n),"utf8"))}catch{return!1}let r=M(e,t,Object.keys(i.oclif.topics??{}));return r?(process.stdout.write(S(r,t,i)),!0):!1}c(U,"tryFastHelp");0&&(module.exports={helpTarget,renderHelp,tryFastHelp});
