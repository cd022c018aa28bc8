// Sends N streaming chat calls at once and reports time to first token (the first SSE
// "data:" line) and to the end of each stream. Plain Node, no dependencies.
//   node bench/burst.mjs <url> <token|-> <count>
import http from 'node:http';

const [url, token, countArg] = process.argv.slice(2);
const count = Number(countArg || 1000);
const body = JSON.stringify({ messages: [{ role: 'user', content: 'Hello' }], stream: true });
const agent = new http.Agent({ keepAlive: true, maxSockets: count });
const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
if (token && token !== '-') headers.authorization = `Bearer ${token}`;
else headers['api-key'] = 'bench-key';

function one() {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    let first = null;
    const req = http.request(url, { method: 'POST', headers, agent }, (res) => {
      let ok = res.statusCode === 200;
      let sawDone = false;
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        if (first === null && chunk.includes('data:')) first = process.hrtime.bigint();
        if (chunk.includes('[DONE]')) sawDone = true;
      });
      res.on('end', () => resolve({ ok: ok && sawDone, status: res.statusCode, ttft: ms(first, start), total: ms(process.hrtime.bigint(), start) }));
      res.on('error', () => resolve({ ok: false, status: res.statusCode }));
    });
    req.on('error', (e) => resolve({ ok: false, status: e.code }));
    req.end(body);
  });
}

function ms(end, start) { return end === null ? null : Number(end - start) / 1e6; }
function pct(values, p) { if (!values.length) return NaN; const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; }

const t0 = process.hrtime.bigint();
const results = await Promise.all(Array.from({ length: count }, one));
const wall = ms(process.hrtime.bigint(), t0);
const ok = results.filter((r) => r.ok);
const ttft = ok.map((r) => r.ttft);
const total = ok.map((r) => r.total);
const failures = {};
for (const r of results.filter((r) => !r.ok)) failures[r.status] = (failures[r.status] || 0) + 1;
console.log(JSON.stringify({ count, ok: ok.length, failures, wall_ms: Math.round(wall),
  ttft_ms: { p50: pct(ttft, 50), p90: pct(ttft, 90), p99: pct(ttft, 99) },
  total_ms: { p50: pct(total, 50), p99: pct(total, 99) } }));
agent.destroy();
