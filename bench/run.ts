/**
 * Runs the benchmarks in bench/ (or those named on the command line) and prints their tables.
 * `npm run bench -- --write` also records them in docs/benchmarks.md under "Latest figures".
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const dir = import.meta.dirname;
const args = process.argv.slice(2);
const write = args.includes('--write');
const wanted = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(import.meta.url.endsWith('.js') ? '.bench.js' : '.bench.ts'))
  .filter((f) => !wanted.length || wanted.some((w) => f.includes(w)));

const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const sections = new Map<string, string>();
for (const file of files) {
  const bench = (await import(join(dir, file))) as { name: string; run(): Promise<string[]> };
  console.log(`running ${bench.name}…`);
  const table = await bench.run();
  console.log(table.join('\n'));
  sections.set(
    bench.name,
    `### ${bench.name}\n\n${new Date().toISOString().slice(0, 10)}, ${machine}\n\n${table.join('\n')}\n`,
  );
}

if (write) {
  // Replaces the sections of the benchmarks that ran; keeps the others' last figures.
  const doc = join(process.cwd(), 'docs', 'benchmarks.md');
  const text = readFileSync(doc, 'utf8');
  const marker = '## Latest figures';
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`docs/benchmarks.md has no "${marker}" heading`);
  const kept = new Map<string, string>();
  for (const part of text
    .slice(at + marker.length)
    .split(/^(?=### )/m)
    .filter((p) => p.startsWith('### '))) {
    kept.set(part.slice(4, part.indexOf('\n')).trim(), `${part.trimEnd()}\n`);
  }
  for (const [name, section] of sections) kept.set(name, section);
  writeFileSync(doc, `${text.slice(0, at + marker.length)}\n\n${[...kept.values()].join('\n')}`);
  console.log('recorded in docs/benchmarks.md');
}
process.exit(0);
