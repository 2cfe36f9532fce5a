/** A shell script imported as its text (esbuild's and the tests' `.sh` text loader). */
declare module '*.sh' {
  const text: string;
  export default text;
}
