// Preloaded with `node --import` into a peer's CLI (generator, tsc): on exit, writes the process's own peak RSS
// (getrusage maxRSS, the kernel's high-water mark) to $BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS / 1024)));
