// dap.js: bench/dap: the same DAP session against tracerd --dap and
// lldb-vscode-14 (over stdio, one after the other in the same run):
// launch to the first stop, the round trip of next, six variables
// expansions around a 1,000-element array of structs, evaluate with an
// injected call, and a 16 MiB readMemory into the client (the client's
// JSON and base64 decoding measured apart). Then tests/dap/scenario.js
// against both, for what each gets right.
//
//   node dap.js --tracerd PATH --program PATH --source PATH
//               [--lldb PATH] [--scenario PATH --scenario-program PATH
//               --scenario-source PATH] [--reps N] [--json]
'use strict';

const fs = require('fs');
const path = require('path');
const cp = require('child_process');

const A = { reps: 50, json: false };
for (let i = 2; i < process.argv.length; i++) {
	const k = process.argv[i].replace(/^--/, '');
	if (k === 'json')
		A.json = true;
	else
		A[k] = process.argv[++i];
}
A.reps = Number(A.reps) || 50;
const src = fs.readFileSync(A.source, 'utf8').split('\n');
const line = (m) => src.findIndex((l) => l.includes(m)) + 1;
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const median = (v) => {
	const s = [...v].sort((a, b) => a - b);
	return s.length ? s[Math.floor(s.length / 2)] : null;
};
const log = (...m) => { if (!A.json) console.log(...m); };
const trace = (...m) => { if (process.env.BENCH_TRACE) console.error(...m); };
let finished = false;
process.on('exit', () => {
	if (!finished)
		console.error('bench/dap: an adapter stopped answering ' +
			      '(set BENCH_TRACE=1 to see where)');
});

// A DAP client of our own over the adapter's stdin/stdout: framing by
// hand, so that the time a big response's last byte arrives is seen
// apart from parsing it.
class Client {
	constructor(cmd, args) {
		this.p = cp.spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'] });
		this.seq = 1;
		this.buf = Buffer.alloc(0);
		this.chunks = [];
		this.need = -1;
		this.waiting = {};
		this.events = [];
		this.evWaiters = [];
		this.raw = null;
		this.p.stdout.on('data', (d) => this.data(d));
	}
	data(d) {
		this.chunks.push(d);
		this.have = (this.have || 0) + d.length;
		for (;;) {
			if (this.need < 0) {
				const b = Buffer.concat(this.chunks);
				this.chunks = [b];
				const h = b.indexOf('\r\n\r\n');
				if (h < 0)
					return;
				this.need = Number(/Content-Length: (\d+)/i
					.exec(b.slice(0, h).toString())[1]);
				this.chunks = [b.slice(h + 4)];
				this.have = b.length - h - 4;
			}
			if (this.have < this.need)
				return;
			const b = Buffer.concat(this.chunks);
			const body = b.slice(0, this.need);
			this.chunks = [b.slice(this.need)];
			this.have = b.length - this.need;
			this.need = -1;
			if (this.raw) {
				const r = this.raw;
				this.raw = null;
				r({ t: now(), body });
				continue;
			}
			this.dispatch(JSON.parse(body));
		}
	}
	dispatch(m) {
		trace(`<- ${JSON.stringify(m).slice(0, 160)}`);
		if (m.type === 'response' && this.waiting[m.request_seq]) {
			const w = this.waiting[m.request_seq];
			delete this.waiting[m.request_seq];
			w(m);
		} else if (m.type === 'event') {
			const i = this.evWaiters.findIndex((w) =>
				w.name === m.event);
			if (i >= 0)
				this.evWaiters.splice(i, 1)[0].fn(m);
			else
				this.events.push(m);
		}
	}
	send(command, args) {
		const seq = this.seq++;
		trace(`-> ${command} ${JSON.stringify(args).slice(0, 120)}`);
		const body = Buffer.from(JSON.stringify({ seq, type: 'request',
							  command,
							  arguments: args }));
		this.p.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
		this.p.stdin.write(body);
		return seq;
	}
	request(command, args) {
		return new Promise((resolve, reject) => {
			const seq = this.send(command, args);
			this.waiting[seq] = (m) => m.success ? resolve(m)
				: reject(new Error(`${command}: ${m.message}`));
		});
	}
	// the next message comes whole, unparsed
	rawNext() {
		return new Promise((resolve) => { this.raw = resolve; });
	}
	event(name) {
		const i = this.events.findIndex((e) => e.event === name);
		if (i >= 0)
			return Promise.resolve(this.events.splice(i, 1)[0]);
		return new Promise((fn) => this.evWaiters.push({ name, fn }));
	}
	close() {
		this.p.kill('SIGTERM');
	}
}

async function bench(name, cmd, args, lldb) {
	const r = { name };
	const c = new Client(cmd, args);
	const caps = (await c.request('initialize', {
		adapterID: name, linesStartAt1: true, columnsStartAt1: true,
		pathFormat: 'path' })).body || {};
	// launch to the first stop
	let t0 = now();
	const launched = c.request('launch', { program: A.program, args: [],
					       cwd: path.dirname(A.program) });
	await c.event('initialized');
	await c.request('setBreakpoints', {
		source: { path: A.source },
		breakpoints: [{ line: line('BENCH_FIRST') }] });
	await launched;
	await c.request('configurationDone', {});
	let s = (await c.event('stopped')).body;
	r.first_stop_ms = now() - t0;
	const tid = s.threadId;
	const frame = async () => (await c.request('stackTrace', {
		threadId: tid, startFrame: 0, levels: 1 })).body.stackFrames[0];
	let f = await frame();
	r.first_stop_line_ok = f.line === line('BENCH_FIRST');

	// variables: locals, the array whole, four of its elements
	const vt = [];
	for (let k = 0; k < Math.min(A.reps, 10); k++) {
		const sc = (await c.request('scopes', { frameId: f.id })).body
			.scopes;
		t0 = now();
		const locals = (await c.request('variables', {
			variablesReference: sc[0].variablesReference })).body
			.variables;
		const items = locals.find((v) => v.name === 'items');
		const el = (await c.request('variables', {
			variablesReference: items.variablesReference })).body
			.variables;
		for (const i of [0, 1, 2, 999])
			await c.request('variables', {
				variablesReference: el[i].variablesReference });
		vt.push(now() - t0);
		r.variables_count = el.length;
	}
	r.variables_ms = median(vt);

	// evaluate with an injected call
	const et = [];
	let res = null;
	for (let k = 0; k < A.reps; k++) {
		t0 = now();
		res = (await c.request('evaluate', { expression: 'add(2,3)',
						     frameId: f.id,
						     context: 'repl' })).body;
		et.push(now() - t0);
	}
	r.eval_call_ms = median(et);
	r.eval_call_ok = res.result === '5';

	// readMemory of 16 MiB, when the adapter has it (lldb-vscode 14
	// does not answer an unknown request at all)
	try {
		if (!caps.supportsReadMemoryRequest)
			throw new Error('readMemory not supported');
		const ev = (await c.request('evaluate', {
			expression: '(unsigned long)big', frameId: f.id,
			context: 'repl' })).body.result;
		const addr = '0x' + BigInt(ev.split(' ')[0]).toString(16);
		const n = 16 << 20;
		const mt = [];
		let got = null;
		// the bytes arriving whole (unparsed), then, apart, what the
		// client's JSON and base64 decoding of the last one cost
		for (let k = 0; k < 7; k++) {
			const raw = c.rawNext();
			t0 = now();
			c.send('readMemory', { memoryReference: addr, count: n });
			got = await raw;
			mt.push(got.t - t0);
		}
		const t1 = now();
		const m = JSON.parse(got.body);
		const bytes = Buffer.from(m.body.data || '', 'base64');
		const dt = now() - t1;
		r.readmem_mb_per_s = n / 1e6 / (median(mt) / 1000);
		r.readmem_best_mb_per_s = n / 1e6 / (Math.min(...mt) / 1000);
		r.readmem_client_decode_mb_per_s = n / 1e6 / (dt / 1000);
		r.readmem_ok = m.success && bytes.length === n &&
			bytes[0] === 7 && bytes[n - 1] ===
			((((n - 1) * 131) + 7) & 0xff);
	} catch (e) {
		r.readmem_mb_per_s = null;
		r.readmem_error = String(e.message || e);
	}

	// next, request to stopped event, in the loop
	await c.request('setBreakpoints', {
		source: { path: A.source },
		breakpoints: [{ line: line('BENCH_LOOP') }] });
	await c.request('continue', { threadId: tid });
	await c.event('stopped');
	await c.request('setBreakpoints', { source: { path: A.source },
					    breakpoints: [] });
	const nt = [];
	for (let k = 0; k < A.reps; k++) {
		t0 = now();
		const st = c.event('stopped');
		await c.request('next', { threadId: tid });
		await st;
		nt.push(now() - t0);
	}
	r.next_ms = median(nt);
	await c.request('disconnect', { terminateDebuggee: true })
		.catch(() => {});
	c.close();
	return r;
}

function scenario(adapter, cmd) {
	if (!A.scenario)
		return null;
	const out = cp.spawnSync('node', [A.scenario, '--adapter', adapter,
		'--cmd', cmd, '--program', A['scenario-program'],
		'--source', A['scenario-source']],
	{ encoding: 'utf8', timeout: 600000 });
	const lines = (out.stdout || '').split('\n');
	return {
		ok: lines.filter((l) => l.startsWith('ok:')).length,
		failed: lines.filter((l) => l.startsWith('FAIL:')).length,
		differs: lines.filter((l) => l.startsWith('differs:'))
			.map((l) => l.slice(9)),
		failures: lines.filter((l) => l.startsWith('FAIL:')),
	};
}

(async () => {
	const t = await bench('tracerd', A.tracerd, ['--dap']);
	let l = null;
	if (A.lldb && fs.existsSync(A.lldb))
		l = await bench('lldb', A.lldb, []);
	const st = scenario('tracerd', A.tracerd);
	const sl = l ? scenario('lldb', A.lldb) : null;
	const out = {
		tracerd_first_stop_ms: t.first_stop_ms,
		lldb_first_stop_ms: l ? l.first_stop_ms : null,
		tracerd_next_ms: t.next_ms,
		lldb_next_ms: l ? l.next_ms : null,
		tracerd_variables_ms: t.variables_ms,
		lldb_variables_ms: l ? l.variables_ms : null,
		tracerd_eval_call_ms: t.eval_call_ms,
		lldb_eval_call_ms: l ? l.eval_call_ms : null,
		tracerd_readmem_mb_per_s: t.readmem_mb_per_s,
		tracerd_readmem_best_mb_per_s: t.readmem_best_mb_per_s,
		tracerd_readmem_client_decode_mb_per_s:
			t.readmem_client_decode_mb_per_s,
		lldb_readmem_mb_per_s: l ? l.readmem_mb_per_s : null,
		lldb_readmem_error: l ? l.readmem_error || null : null,
		tracerd_checks_ok: t.first_stop_line_ok && t.eval_call_ok &&
			t.readmem_ok === true,
		lldb_checks_ok: l ? l.first_stop_line_ok && l.eval_call_ok
			: null,
		variables_children: t.variables_count,
		tracerd_scenario: st,
		lldb_scenario: sl,
		reps: A.reps,
	};
	finished = true;
	if (A.json) {
		console.log(JSON.stringify(out));
	} else {
		const row = (k, a, b, unit) => console.log(
			`${k.padEnd(34)} ${a === null ? '-' :
			a.toFixed(2).padStart(10)} ${b === null ||
			b === undefined ? '         -' :
			b.toFixed(2).padStart(10)}  ${unit}`);
		console.log(`${''.padEnd(34)} ${'tracerd'.padStart(10)} ` +
			    `${'lldb-vscode'.padStart(10)}`);
		row('launch to first stop', out.tracerd_first_stop_ms,
		    out.lldb_first_stop_ms, 'ms');
		row('next round trip (median)', out.tracerd_next_ms,
		    out.lldb_next_ms, 'ms');
		row('6 variables expansions', out.tracerd_variables_ms,
		    out.lldb_variables_ms, 'ms');
		row('evaluate add(2,3) (median)', out.tracerd_eval_call_ms,
		    out.lldb_eval_call_ms, 'ms');
		row('readMemory 16 MiB into client', out.tracerd_readmem_mb_per_s,
		    out.lldb_readmem_mb_per_s, 'MB/s');
		row('  best of 7', out.tracerd_readmem_best_mb_per_s, null,
		    'MB/s');
		row('  client JSON+base64 decoding',
		    out.tracerd_readmem_client_decode_mb_per_s, null, 'MB/s');
		if (out.lldb_readmem_error)
			console.log(`lldb readMemory: ${out.lldb_readmem_error}`);
		for (const [n, s] of [['tracerd', st], ['lldb-vscode', sl]])
			if (s)
				console.log(`scenario on ${n}: ${s.ok} ok, ` +
					    `${s.failed} failed` +
					    s.differs.map((d) => `\n  differs: ${d}`)
						.join('') +
					    s.failures.map((d) => `\n  ${d}`)
						.join(''));
	}
	process.exit(0);
})().catch((e) => {
	console.error(`bench/dap: ${e.stack || e}`);
	process.exit(1);
});
