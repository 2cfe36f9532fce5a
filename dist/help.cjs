"use strict";var m=Object.defineProperty;var S=Object.getOwnPropertyDescriptor;var O=Object.getOwnPropertyNames;var L=Object.prototype.hasOwnProperty;var c=(e,n)=>m(e,"name",{value:n,configurable:!0});var j=(e,n)=>{for(var i in n)m(e,i,{get:n[i],enumerable:!0})},k=(e,n,i,t)=>{if(n&&typeof n=="object"||typeof n=="function")for(let r of O(n))!L.call(e,r)&&r!==i&&m(e,r,{get:()=>n[r],enumerable:!(t=S(n,r))||t.enumerable});return e};var T=e=>k(m({},"__esModule",{value:!0}),e);var U={};j(U,{helpTarget:()=>E,renderHelp:()=>A,tryFastHelp:()=>R});module.exports=T(U);var $=require("node:fs");var u={Ok:0,Internal:1,Usage:2,Prerequisite:3,ToolFailed:4,Timeout:5,VerificationFailed:6,Interrupted:130},y=[[u.Ok,"success"],[u.Internal,"unexpected internal error (a bug: please report it)"],[u.Usage,"bad input: unknown flag/profile/module, invalid config file, confirmation refused"],[u.Prerequisite,"missing prerequisite: tool not installed, daemon unreachable, port busy, target not running, a required doctor check failed"],[u.ToolFailed,"an external tool (docker, compose, kind, kubectl, skaffold, helm) failed"],[u.Timeout,"timed out waiting for health or readiness"],[u.VerificationFailed,"verification failed: the HA integration did not load"],[u.Interrupted,"interrupted (Ctrl-C)"]];var F=new Set(["--help","-h"]);function E(e,n,i){let t=e.filter(a=>!a.startsWith("-")),r=e.some(a=>F.has(a))||t[0]==="help"||e.length===0,s=t[0]==="help"?t.slice(1):t,d=s.join(":");if(r&&(d===""||n.commands[d]||i.includes(d))||!r&&s.length===1&&e.length===1&&i.includes(d))return s}c(E,"helpTarget");function G(e,n,i=100){let t=[];for(let r of e.split(`
`)){let s="";for(let d of r.split(/\s+/).filter(Boolean))s&&s.length+d.length+1>i-n?(t.push(s),s=d):s=s?`${s} ${d}`:d;t.push(s)}return t.map(r=>`${" ".repeat(n)}${r}`).join(`
`)}c(G,"wrap");function p(e,n=2){let i=Math.max(...e.map(([t])=>t.length));return e.map(([t,r])=>`${" ".repeat(n)}${t.padEnd(i)}  ${r}`).join(`
`)}c(p,"table");function b(e){let n=e.allowNo?`--[no-]${e.name}`:`--${e.name}`,i=e.type==="option"?`=${e.helpValue??e.name.toUpperCase().replace(/-/g,"_")}${e.multiple?"...":""}`:"";return`${e.char?`-${e.char}, `:"    "}${n}${i}`}c(b,"flagLabel");function w(e){let n=e.default!==void 0&&e.type==="option"?` [default: ${String(e.default)}]`:"";return`${e.description??""}${n}`}c(w,"flagText");function v(){return`EXIT CODES
${p(y.map(([e,n])=>[String(e),n]))}`}c(v,"exitCodes");function A(e,n,i){let t=i.oclif.bin,r=i.oclif.topics??{},s=e.join(":"),d=Object.values(n.commands).filter(l=>!l.hidden).sort((l,f)=>l.id.localeCompare(f.id)),a=n.commands[s];if(a){let l=Object.values(a.flags).filter(o=>!o.hidden),f=l.filter(o=>o.helpGroup!=="GLOBAL"),C=l.filter(o=>o.helpGroup==="GLOBAL"),h=Object.values(a.args),M=`$ ${t} ${e.join(" ")}${h.map(o=>` [${o.name.toUpperCase()}${a.strict===!1?"...":""}]`).join("")} [FLAGS]`,g=[a.summary??a.description??"",`USAGE
  ${M}`];return h.length>0&&g.push(`ARGUMENTS
${p(h.map(o=>[o.name.toUpperCase(),o.description??""]))}`),f.length>0&&g.push(`FLAGS
${p(f.map(o=>[b(o),w(o)]))}`),C.length>0&&g.push(`GLOBAL FLAGS
${p(C.map(o=>[b(o),w(o)]))}`),a.summary&&a.description&&g.push(`DESCRIPTION
${G(a.description,2)}`),a.examples?.length&&g.push(`EXAMPLES
${a.examples.map(o=>`  $ ${o.replace("<%= config.bin %>",t)}`).join(`
`)}`),g.push(`Exit codes: see \`${t} --help\`.`),`${g.filter(Boolean).join(`

`)}
`}let x=(s?d.filter(l=>l.id.startsWith(`${s}:`)):d).map(l=>[l.id.replace(/:/g," "),(l.summary??l.description??"").split(`
`)[0]]);return s?`${r[s]?.description??""}

USAGE
  $ ${t} ${s} COMMAND

COMMANDS
${p(x)}
`:[`${t}/${i.version} \u2014 ${i.description??""}`,`USAGE
  $ ${t} COMMAND [FLAGS]`,`TOPICS
${p(Object.entries(r).map(([l,f])=>[l,f.description]))}`,`COMMANDS
${p(x)}`,`GLOBAL FLAGS (every command)
${p([["--json","print only the result object as JSON on stdout"],["--verbose","echo every external command to stderr (secrets redacted)"],["--dry-run","print the mutating commands and run none (read-only probes still run)"],["-h, --help","show help for a command"]])}`,v(),`Run \`${t} COMMAND --help\` for a command's flags and examples.`].join(`

`)+`
`}c(A,"renderHelp");function R(e,n){let i,t;try{i=JSON.parse((0,$.readFileSync)(new URL("oclif.manifest.json",n),"utf8")),t=JSON.parse((0,$.readFileSync)(new URL("package.json",n),"utf8"))}catch{return!1}let r=E(e,i,Object.keys(t.oclif.topics??{}));return r?(process.stdout.write(A(r,i,t)),!0):!1}c(R,"tryFastHelp");0&&(module.exports={helpTarget,renderHelp,tryFastHelp});
