/** The part of citation-js 0.8 (which ships no types) that library-files.ts uses. */
declare module '@citation-js/core' {
  export const plugins: { input: { chain: (input: unknown, options?: object) => unknown } };
}
declare module '@citation-js/plugin-bibtex';
