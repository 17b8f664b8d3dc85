/** A benchmark's result as Markdown: a title, a sentence saying what it measured, and a figure | value table. */
export function markdownReport(title: string, intro: string, rows: [string, string][]): string {
  return [
    `# ${title} — ${new Date().toISOString()}`,
    '',
    intro,
    '',
    '| figure | value |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ].join('\n');
}
