/**
 * A port of the part of Go's text/tabwriter that kubeadm and the Rancher tools use for tables:
 * cells end with a tab, the text after a line's last tab is not aligned, a column's width is its
 * widest cell plus padding (at least `minWidth`), and a line without tabs ends a column block.
 */

/** Go's tabwriter.NewWriter(w, minwidth, tabwidth, padding, ' ', 0) for space padding. */
export interface TabwriterOptions {
  readonly minWidth: number;
  readonly padding: number;
}

/** Aligns `lines` (each a string with `\t` cell terminators) the way Go's tabwriter does. */
export function tabwrite(lines: readonly string[], options: TabwriterOptions): string {
  const rows = lines.map((line) => line.split('\t'));
  const out: string[] = [];
  let block: string[][] = [];
  const flush = (): void => {
    out.push(...alignBlock(block, options));
    block = [];
  };
  for (const cells of rows) {
    if (cells.length === 1) {
      flush();
      out.push(cells[0] ?? '');
    } else {
      block.push(cells);
    }
  }
  flush();
  return out.map((line) => `${line}\n`).join('');
}

/** Columns are aligned across consecutive lines that have a cell in that column (Go's column blocks). */
function alignBlock(block: string[][], options: TabwriterOptions): string[] {
  const widths: number[] = [];
  for (const cells of block) {
    cells.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(
        widths[i] ?? 0,
        Math.max(cell.length + options.padding, options.minWidth),
      );
    });
  }
  return block.map((cells) => {
    const last = cells.length - 1;
    return cells.map((cell, i) => (i === last ? cell : cell.padEnd(widths[i] ?? 0))).join('');
  });
}
