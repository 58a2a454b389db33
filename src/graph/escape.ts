// Escaping for user-written names (t.named(...), parameter names) in DOT and Mermaid labels.
// Graphviz escapes labels itself when it writes SVG, so escaped DOT gives safe SVG.

/** Body of a DOT double-quoted string: backslashes, quotes and line breaks escaped. */
export function dotString(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, "\\n");
}

/** Body of a Mermaid quoted label: characters Mermaid or HTML would read become #entity; codes. */
export function mermaidString(text: string): string {
  return text.replace(/[#"<>&`[\]{}()|\\]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\r\n|\r|\n/g, " ");
}
