/** Where a command reads and writes: the real process in production, buffers in tests. */
export interface CommandIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  environment: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CommandIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    environment: process.env,
    cwd: process.cwd(),
  };
}

/** Writes one line. */
export function println(stream: CommandIo['stdout'], text = ''): void {
  stream.write(`${text}\n`);
}

/** Writes a value as pretty JSON. */
export function printJson(io: CommandIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Renders rows as an aligned text table. */
export function formatTable(headers: string[], rows: (string | number | null)[][]): string {
  const cells = [
    headers,
    ...rows.map((row) => row.map((cell) => (cell === null ? '—' : String(cell)))),
  ];
  const widths = headers.map((_, column) =>
    Math.max(...cells.map((row) => displayWidth(row[column] ?? ''))),
  );
  return cells
    .map((row) =>
      row
        .map((cell, column) => cell + ' '.repeat(widths[column]! - displayWidth(cell)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Terminal width of a string: CJK characters take two columns. */
function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    width +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
        character,
      )
        ? 2
        : 1;
  }
  return width;
}
