// Calls onMessage with each JSON-RPC message arriving on stdin, one per line: the framing of the bench's tiny
// stdio servers.
export function onStdinMessages(onMessage) {
  let buf = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) onMessage(JSON.parse(line));
    }
  });
}
