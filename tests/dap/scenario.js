// scenario.js: one DAP scenario, driven by Microsoft's own DAP test client
// (@vscode/debugadapter-testsupport's DebugClient), against tracerd --dap
// or against lldb-vscode-14, so that what a client sees of the two can be
// compared. Used by tests/e2e/dap.sh (make check) and bench/dap.
//
//   node scenario.js --adapter tracerd|lldb --cmd PATH --program PATH
//                    --source PATH [--scale N] [--only NAME,...]
//
// Prints "ok: ...", "FAIL: ..." and, for lldb-vscode, "differs: ..."
// where lldb-vscode is known to do otherwise (those are not failures for
// it; they are for tracerd). Exit status: 0 all passed, 1 a failure, 99
// the harness broke.
'use strict';

const fs = require('fs');
const path = require('path');
const cp = require('child_process');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

function args() {
	const a = { scale: 1, only: null };
	const v = process.argv.slice(2);
	for (let i = 0; i < v.length; i += 2) {
		const k = v[i].replace(/^--/, '');
		a[k] = v[i + 1];
	}
	a.scale = Number(a.scale) || 1;
	if (a.program)
		a.program = path.resolve(a.program);
	if (a.only)
		a.only = a.only.split(',');
	for (const k of ['adapter', 'cmd', 'program', 'source'])
		if (!a[k]) {
			console.error(`scenario.js: --${k} is required`);
			process.exit(99);
		}
	return a;
}

const A = args();
const isLldb = A.adapter === 'lldb';
const src = fs.realpathSync(A.source);
const lines = fs.readFileSync(src, 'utf8').split('\n');
// the line of a marker comment (BP_...) in the program's source
function L(marker) {
	const i = lines.findIndex((l) => l.includes(marker));
	if (i < 0)
		throw new Error(`no ${marker} in ${src}`);
	return i + 1;
}

let failures = 0;
let checks = 0;
function check(desc, ok, detail, lldbDiffers) {
	checks++;
	if (ok) {
		console.log(`ok: ${desc}`);
	} else if (isLldb && lldbDiffers) {
		console.log(`differs: ${desc}: ${lldbDiffers}` +
			(detail !== undefined ? ` (saw ${JSON.stringify(detail)
				.slice(0, 160)})` : ''));
	} else {
		failures++;
		console.log(`FAIL: ${desc}` + (detail !== undefined ?
			`: ${JSON.stringify(detail)}` : ''));
	}
	return ok;
}

// Events of one client, queued from its start: a test takes the next
// one of a kind, waiting if it has not come yet (no event is missed
// between a request and the wait for what follows it).
function queueEvents(dc, timeout) {
	const kinds = ['stopped', 'continued', 'exited', 'terminated',
		       'output', 'thread', 'initialized', 'breakpoint',
		       'process', 'module'];
	const q = {}, waiters = {};
	for (const k of kinds) {
		q[k] = [];
		waiters[k] = [];
		dc.on(k, (e) => {
			if (waiters[k].length)
				waiters[k].shift()(e);
			else
				q[k].push(e);
		});
	}
	return {
		next(kind, ms) {
			if (q[kind].length)
				return Promise.resolve(q[kind].shift());
			return new Promise((resolve, reject) => {
				const t = setTimeout(() => {
					const i = waiters[kind].indexOf(done);
					if (i >= 0)
						waiters[kind].splice(i, 1);
					reject(new Error(`no '${kind}' event ` +
						`within ${ms || timeout} ms`));
				}, ms || timeout);
				const done = (e) => {
					clearTimeout(t);
					resolve(e);
				};
				waiters[kind].push(done);
			});
		},
		taken(kind) {
			return q[kind];
		},
	};
}

async function client() {
	const dc = isLldb ?
		new DebugClient('/usr/bin/env', A.cmd, 'lldb') :
		new DebugClient(A.cmd, '--dap', 'tracerd');
	dc.defaultTimeout = 20000 * A.scale;
	const ev = queueEvents(dc, dc.defaultTimeout);
	const outputs = [];
	dc.on('output', (e) => outputs.push(e.body));
	await dc.start();
	// tracerd's own end: status 0 once the client is done (the
	// sanitizer builds make it fail on a leak or an error), stderr kept
	const proc = dc._adapterProcess;
	let stderr = '';
	const exit = proc ? new Promise((resolve) => proc.on('exit',
		(code, sig) => resolve(sig || code))) : null;
	if (proc)
		proc.stderr.on('data', (d) => { stderr += d; });
	const init = await dc.initializeRequest({
		adapterID: isLldb ? 'lldb' : 'tracerd', clientID: 'scenario',
		linesStartAt1: true, columnsStartAt1: true,
		pathFormat: 'path', supportsVariableType: true,
	});
	return { dc, ev, outputs, exit, stderr: () => stderr,
		 caps: init.body || {} };
}

// A request the adapter does not advertise is not sent (lldb-vscode 14
// never answers one): a failure for tracerd, a difference for lldb.
function supports(c, cap, desc) {
	if (c.caps[cap])
		return true;
	check(desc, false, `${cap} not advertised`,
	      `lldb-vscode 14 has no ${cap.replace(/^supports/, '')}`);
	return false;
}

// The client goes (DebugClient.stop: disconnect, then SIGTERM to the
// adapter); tracerd must end cleanly.
async function done(c) {
	if (isLldb) {
		// lldb-vscode 14 exits at disconnect and never answers the
		// second one stop() sends: its process is just ended
		c.dc.stopAdapter();
		return;
	}
	await c.dc.stop();
	if (!c.exit)
		return;
	const st = await c.exit;
	check('tracerd ended cleanly (status 0)', st === 0 &&
	      !/Sanitizer|runtime error/.test(c.stderr()),
	      [st, c.stderr().slice(-2000)]);
}

// launch (or attach) with breakpoints set once the adapter is
// initialized, then configurationDone.
async function start(c, kind, launchArgs, bps) {
	let failed = null;
	const req = (kind === 'launch' ? c.dc.launchRequest(launchArgs)
				       : c.dc.attachRequest(launchArgs))
		.catch((e) => { failed = e; });
	await Promise.race([c.ev.next('initialized'), req]);
	if (failed)
		throw failed;
	const set = {};
	for (const line of bps || []) {
		const r = await c.dc.setBreakpointsRequest({
			source: { path: src },
			breakpoints: [{ line: L(line) }],
		});
		set[line] = r.body.breakpoints[0];
	}
	await req;
	if (failed)
		throw failed;
	await c.dc.configurationDoneRequest();
	return set;
}

function launchArgs(extra) {
	return Object.assign({ program: A.program, args: [],
			       cwd: path.dirname(A.program) }, extra || {});
}

async function top(c, tid) {
	const st = await c.dc.stackTraceRequest({ threadId: tid,
						  startFrame: 0, levels: 20 });
	return st.body.stackFrames;
}

async function vars(c, ref) {
	const r = await c.dc.variablesRequest({ variablesReference: ref });
	return r.body.variables;
}

function byName(list, name) {
	return list.find((v) => v.name === name);
}

// --- the scenarios ------------------------------------------------------

// Launch to a line breakpoint, the stack, scopes, variables, a call,
// stepping, conditions, hit counts, a logpoint, a second thread, the
// program's output and its exit code.
async function mainScenario() {
	const c = await client();
	const { dc, ev } = c;
	const set = await start(c, 'launch', launchArgs(), ['BP_MAIN']);
	check('breakpoint at BP_MAIN verified', set.BP_MAIN &&
	      set.BP_MAIN.verified && set.BP_MAIN.line === L('BP_MAIN'),
	      set.BP_MAIN);
	let s = (await ev.next('stopped')).body;
	check('stopped at a breakpoint', s.reason === 'breakpoint', s);
	check('hitBreakpointIds names it', !set.BP_MAIN ||
	      (s.hitBreakpointIds || []).includes(set.BP_MAIN.id), s,
	      'lldb-vscode 14 sends no hitBreakpointIds');
	check('allThreadsStopped', s.allThreadsStopped === true, s,
	      'lldb-vscode 14 does not say allThreadsStopped');
	const tid = s.threadId;
	let frames = await top(c, tid);
	check('top frame is main at BP_MAIN', frames[0].name === 'main' &&
	      frames[0].line === L('BP_MAIN'), frames[0]);
	check('its source is the program\'s file', frames[0].source &&
	      frames[0].source.path === src, frames[0].source);

	const scopes = (await dc.scopesRequest({ frameId: frames[0].id }))
		.body.scopes;
	const names = scopes.map((x) => x.name);
	check('scopes Locals, Arguments, Registers',
	      names.join() === 'Locals,Arguments,Registers', names,
	      'lldb-vscode 14 has Locals, Globals, Registers (arguments ' +
	      'among the locals)');
	const locals = await vars(c, scopes[0].variablesReference);
	const n = byName(locals, 'n');
	check('local n is 3', n && n.value === '3', n);
	const o = byName(locals, 'o');
	check('local o is there', !!o, locals.map((v) => v.name));
	// the value tree: a nested struct, a pointer, an array
	check('o has children', o && o.variablesReference > 0, o);
	const oc = o ? await vars(c, o.variablesReference) : [];
	check('o\'s members', oc.map((v) => v.name).join() ===
	      'id,in,ptr,arr,name', oc.map((v) => v.name));
	const oin = byName(oc, 'in');
	const inc = oin ? await vars(c, oin.variablesReference) : [];
	const x = byName(inc, 'x');
	check('o.in.x is 1, named o.in.x', x && x.value === '1' &&
	      x.evaluateName === 'o.in.x', x);
	const optr = byName(oc, 'ptr');
	const pc = optr ? await vars(c, optr.variablesReference) : [];
	const px = byName(pc, 'x');
	check('o.ptr expands to what it points to (x = 7)',
	      px && px.value === '7', pc);
	const oarr = byName(oc, 'arr');
	check('o.arr has 5 indexed children', oarr &&
	      oarr.indexedVariables === 5, oarr,
	      'lldb-vscode 14 gives no indexedVariables');
	const ac = oarr ? (await dc.variablesRequest({
		variablesReference: oarr.variablesReference,
		filter: 'indexed', start: 2, count: 2 })).body.variables : [];
	check('a chunk of o.arr: [2] = 30, [3] = 40', ac.length === 2 &&
	      ac[0].name === '[2]' && ac[0].value === '30' &&
	      ac[1].value === '40', ac, 'lldb-vscode 14 ignores start and ' +
	      'count');
	if (ac.length && ac[0].evaluateName) {
		const ev2 = await dc.evaluateRequest({
			expression: ac[0].evaluateName, frameId: frames[0].id,
			context: 'watch' });
		check('an element\'s evaluateName evaluates to it',
		      ev2.body.result === '30', ev2.body);
	}
	// setVariable, then read back
	if (oin) {
		const sv = await dc.setVariableRequest({
			variablesReference: oin.variablesReference,
			name: 'x', value: '99' });
		check('setVariable o.in.x = 99', sv.body.value === '99',
		      sv.body);
		const rb = await dc.evaluateRequest({ expression: 'o.in.x',
						      frameId: frames[0].id,
						      context: 'watch' });
		check('read back: 99', rb.body.result === '99', rb.body);
	}
	// a hover never calls
	let hover = null;
	try {
		hover = await dc.evaluateRequest({ expression: 'add(1,1)',
						   frameId: frames[0].id,
						   context: 'hover' });
	} catch (err) {
		hover = { error: String(err) };
	}
	check('a hover does not call add(1,1)', !!hover.error, hover,
	      'lldb-vscode 14 calls functions in hovers');
	// memory: o.arr's 20 bytes read, one element written, read back
	if (!supports(c, 'supportsReadMemoryRequest', 'readMemory')) {
		// (nothing to read with)
	} else if (oarr && oarr.memoryReference) {
		const rm = await dc.customRequest('readMemory', {
			memoryReference: oarr.memoryReference, count: 20 });
		const bytes = Buffer.from(rm.body.data || '', 'base64');
		check('readMemory of o.arr: 10, 20, 30, 40, 50',
		      bytes.length === 20 && bytes.readInt32LE(0) === 10 &&
		      bytes.readInt32LE(16) === 50, rm.body);
		const nb = Buffer.alloc(4);
		nb.writeInt32LE(-5);
		await dc.customRequest('writeMemory', {
			memoryReference: oarr.memoryReference, offset: 4,
			data: nb.toString('base64') });
		const rb2 = await dc.evaluateRequest({ expression: 'o.arr[1]',
						       frameId: frames[0].id,
						       context: 'watch' });
		check('writeMemory of o.arr[1], read back: -5',
		      rb2.body.result === '-5', rb2.body);
		await dc.evaluateRequest({ expression: 'o.arr[1] = 20',
					   frameId: frames[0].id,
					   context: 'repl' });
		const un = await dc.customRequest('readMemory', {
			memoryReference: '0x0', count: 16 });
		check('readMemory of unmapped memory: unreadableBytes',
		      un.body.unreadableBytes === 16 && !un.body.data,
		      un.body, 'lldb-vscode 14 answers otherwise');
	} else {
		check('o.arr has a memoryReference', false, oarr,
		      'lldb-vscode 14 gives none');
	}
	// disassemble around the pc, where BP_MAIN's int3 is: four
	// instructions before it, the original bytes at it
	if (supports(c, 'supportsDisassembleRequest', 'disassemble')) {
		const ip = frames[0].instructionPointerReference;
		const di = (await dc.customRequest('disassemble', {
			memoryReference: ip, instructionOffset: -4,
			instructionCount: 10, resolveSymbols: true })).body
			.instructions;
		const at = di[4] || {};
		check('disassemble: 10 instructions, the 5th at the pc',
		      di.length === 10 && BigInt(at.address) === BigInt(ip),
		      di.map((x) => x.address));
		check('disassemble: addresses rising, each valid',
		      di.every((x, i) => !i || BigInt(x.address) >
			       BigInt(di[i - 1].address)) &&
		      di.every((x) => x.presentationHint !== 'invalid' &&
			       x.instruction && x.instructionBytes), di);
		check('disassemble: the original bytes under the breakpoint',
		      at.instructionBytes && !/^cc/.test(at.instructionBytes),
		      at);
		check('disassemble: symbol, source and line at the pc',
		      /^main\+\d+$/.test(at.symbol || '') && at.location &&
		      at.location.path === src && at.line === L('BP_MAIN'), at);
		const bad = (await dc.customRequest('disassemble', {
			memoryReference: '0x0', instructionCount: 3 })).body
			.instructions;
		check('disassemble of unmapped memory: invalid instructions',
		      bad.length === 3 && bad.every((x) =>
			      x.presentationHint === 'invalid'), bad);
	}
	const mods = (await dc.modulesRequest({})).body.modules;
	check('modules: the program and libc', mods.some((m) =>
		m.path === A.program) && mods.some((m) =>
		/libc\.so/.test(m.path || m.name)), mods.map((m) => m.path));
	if (supports(c, 'supportsLoadedSourcesRequest', 'loadedSources')) {
		const ls = (await dc.customRequest('loadedSources', {})).body
			.sources;
		check('loadedSources: the program\'s file', ls.some((x) =>
			x.path === src), ls);
	}
	const so = await dc.sourceRequest({ source: { path: src },
					    sourceReference: 0 }).catch(
		(err) => ({ body: { error: String(err) } }));
	check('source: its text', (so.body.content || '').includes('BP_MAIN'),
	      so.body, 'lldb-vscode 14 serves only source references');
	const regs = await vars(c, scopes[scopes.length - 1]
				.variablesReference);
	check('registers listed', regs.length > 10, regs.length,
	      'lldb-vscode 14 groups them (general purpose, floating point...)');

	let e = await dc.evaluateRequest({ expression: 'add(2,3)',
					   frameId: frames[0].id,
					   context: 'repl' });
	check('evaluate add(2,3) with a call', e.body.result === '5',
	      e.body);

	await dc.nextRequest({ threadId: tid });
	s = (await ev.next('stopped')).body;
	frames = await top(c, tid);
	check('next: the next line', s.reason === 'step' &&
	      frames[0].line === L('BP_MAIN') + 1, [s, frames[0]]);

	const bt = await dc.setBreakpointsRequest({
		source: { path: src }, breakpoints: [{ line: L('BP_TWICE') }],
	});
	check('breakpoint at BP_TWICE verified',
	      bt.body.breakpoints[0].verified, bt.body);
	await dc.continueRequest({ threadId: tid });
	s = (await ev.next('stopped')).body;
	frames = await top(c, tid);
	check('continue: stopped in twice', s.reason === 'breakpoint' &&
	      frames[0].name === 'twice' &&
	      frames[0].line === L('BP_TWICE'), frames[0]);
	await dc.stepInRequest({ threadId: tid });
	s = (await ev.next('stopped')).body;
	frames = await top(c, tid);
	check('stepIn: into add', frames[0].name === 'add' &&
	      frames[0].line === L('BP_ADD'), frames[0]);
	check('the stack: add, twice, main', frames.slice(0, 3)
	      .map((f) => f.name).join() === 'add,twice,main',
	      frames.map((f) => f.name));
	const paged = await dc.stackTraceRequest({ threadId: tid,
						   startFrame: 1, levels: 1 });
	check('stackTrace pages (startFrame 1, levels 1)',
	      paged.body.stackFrames.length === 1 &&
	      paged.body.stackFrames[0].name === 'twice' &&
	      paged.body.totalFrames > 2, paged.body);
	const args = (await dc.scopesRequest({ frameId: frames[0].id }))
		.body.scopes;
	const a = byName(await vars(c, args[isLldb ? 0 : 1]
				    .variablesReference), 'a');
	check('argument a of add is 20', a && a.value === '20', a);
	await dc.stepOutRequest({ threadId: tid });
	s = (await ev.next('stopped')).body;
	frames = await top(c, tid);
	check('stepOut: back in twice', frames[0].name === 'twice' &&
	      frames[0].line === L('BP_TWICE'), frames[0]);

	// a condition, and a logpoint that prints without stopping
	await dc.setBreakpointsRequest({
		source: { path: src },
		breakpoints: [
			{ line: L('BP_AFTER'),
			  logMessage: 'after total={total}' },
			{ line: L('BP_LOOP'), condition: 'i == 5' },
		],
	});
	await dc.continueRequest({ threadId: tid });
	s = (await ev.next('stopped')).body;
	frames = await top(c, tid);
	if (!check('the logpoint did not stop', frames[0].name === 'loop_sum',
		   frames[0], 'lldb-vscode 14 has no logpoints: a ' +
		   'logMessage breakpoint stops')) {
		await dc.continueRequest({ threadId: tid });
		s = (await ev.next('stopped')).body;
		frames = await top(c, tid);
	}
	check('the logpoint printed its message', c.outputs.some((x) =>
		x.output === 'after total=40\n'),
	      c.outputs.map((x) => x.output), 'no logpoints');
	e = await dc.evaluateRequest({ expression: 'i',
				       frameId: frames[0].id,
				       context: 'watch' });
	check('conditional breakpoint: stopped where i == 5',
	      frames[0].line === L('BP_LOOP') && e.body.result === '5',
	      [frames[0], e.body]);
	// a hit condition: the 2nd hit from now on (i == 7)
	await dc.setBreakpointsRequest({
		source: { path: src },
		breakpoints: [{ line: L('BP_LOOP'), hitCondition: '2' }],
	});
	await dc.continueRequest({ threadId: tid });
	s = (await ev.next('stopped')).body;
	frames = await top(c, tid);
	e = await dc.evaluateRequest({ expression: 'i',
				       frameId: frames[0].id,
				       context: 'watch' });
	check('hit condition 2: stopped at the second hit (i == 7)',
	      e.body.result === '7', e.body);

	// a second thread
	await dc.setBreakpointsRequest({ source: { path: src },
					 breakpoints: [] });
	await dc.setBreakpointsRequest({
		source: { path: src },
		breakpoints: [{ line: L('BP_WORKER') }, { line: L('BP_END') }],
	});
	await dc.continueRequest({ threadId: tid });
	s = (await ev.next('stopped')).body;
	frames = await top(c, s.threadId);
	check('stopped in the second thread', s.threadId !== tid &&
	      frames[0].name === 'worker', [s, frames[0]]);
	const th = (await dc.threadsRequest()).body.threads;
	check('threads: two', th.length === 2 &&
	      th.some((t) => t.id === s.threadId), th);
	check('a thread event for it', ev.taken('thread').some((x) =>
		x.body.reason === 'started' && x.body.threadId === s.threadId),
	      ev.taken('thread').map((x) => x.body),
	      'lldb-vscode 14 sends its thread events at other times');

	await dc.continueRequest({ threadId: s.threadId });
	s = (await ev.next('stopped')).body;
	frames = await top(c, s.threadId);
	check('stopped at BP_END', frames[0].line === L('BP_END'), frames[0]);
	await dc.continueRequest({ threadId: s.threadId });
	const ex = (await ev.next('exited')).body;
	check('exit code 7', ex.exitCode === 7, ex);
	await ev.next('terminated');
	// the program's output came as output events
	const out = c.outputs.filter((o) => o.category === 'stdout')
		.map((o) => o.output).join('');
	check('its stdout as output events', out.includes('start 42\n') &&
	      out.includes('total 85 counter 3\n'), out,
	      'lldb-vscode 14 runs the program on a terminal: CRLF line ' +
	      'ends, stderr merged into stdout');
	const err = c.outputs.filter((o) => o.category === 'stderr')
		.map((o) => o.output).join('');
	check('its stderr as output events', err.includes('to stderr\n'), err,
	      'lldb-vscode 14 runs the program on a terminal: CRLF line ' +
	      'ends, stderr merged into stdout');
	await dc.disconnectRequest({});
	await done(c);
}

// Pause of a running loop.
async function pauseScenario() {
	const c = await client();
	await start(c, 'launch', launchArgs({ args: ['loop'] }),
		    ['BP_LOOPING']);
	// past the start-up: the pause finds it in main (or in its
	// printf)
	const first = (await c.ev.next('stopped')).body;
	await c.dc.setBreakpointsRequest({ source: { path: src },
					   breakpoints: [] });
	await c.dc.continueRequest({ threadId: first.threadId });
	await c.dc.pauseRequest({ threadId: first.threadId });
	let s;
	try {
		s = (await c.ev.next('stopped')).body;
	} catch (e) {
		if (!isLldb)
			throw e;
		check('a pause right after continue stops', false, String(e),
		      'lldb-vscode 14 lost it (no stop)');
		await c.dc.disconnectRequest({ terminateDebuggee: true });
		await done(c);
		return;
	}
	check('pause stops with reason pause', s.reason === 'pause', s,
	      'lldb-vscode 14 reports a pause as an exception stop');
	const frames = await top(c, s.threadId);
	check('paused in main', frames.some((f) => f.name === 'main'),
	      frames.map((f) => f.name));
	await c.dc.disconnectRequest({ terminateDebuggee: true });
	await done(c);
}

// A signal as an exception stop.
async function signalScenario() {
	const c = await client();
	await start(c, 'launch', launchArgs({ args: ['segv'] }), []);
	const s = (await c.ev.next('stopped')).body;
	check('SIGSEGV stops as an exception', s.reason === 'exception', s);
	check('its text names the signal',
	      /SIGSEGV/.test((s.text || '') + (s.description || '')), s,
	      'lldb-vscode 14 names it otherwise');
	const frames = await top(c, s.threadId);
	check('stopped at the faulting line', frames[0].line === L('BP_SEGV'),
	      frames[0]);
	await c.dc.disconnectRequest({ terminateDebuggee: true });
	await done(c);
	// the SIGSEGV filter off: the program dies of it
	const c2 = await client();
	const req = c2.dc.launchRequest(launchArgs({ args: ['segv'] }));
	await c2.ev.next('initialized');
	await c2.dc.setExceptionBreakpointsRequest({ filters: [] });
	await req;
	await c2.dc.configurationDoneRequest();
	// (lldb-vscode 14 stops at it whatever the filters)
	const x = isLldb ?
		{ stopped: (await c2.ev.next('stopped')).body } :
		(await c2.ev.next('exited')).body;
	check('filter off: it dies of SIGSEGV (exit code 139)',
	      x.exitCode === 139, x, 'lldb-vscode 14 stops at signals ' +
	      'whatever the filters');
	if (isLldb)
		await c2.dc.disconnectRequest({ terminateDebuggee: true });
	await done(c2);
}

function procStatus(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	} catch (e) {
		return '';
	}
}

// Attach by pid, then disconnect leaving the program running.
async function attachScenario() {
	const child = cp.spawn(A.program, ['wait'],
			       { stdio: ['ignore', 'pipe', 'inherit'] });
	await new Promise((resolve) => child.stdout.once('data', resolve));
	const exited = new Promise((resolve) =>
		child.on('exit', (code, sig) => resolve(sig || code)));
	const c = await client();
	await start(c, 'attach', { pid: child.pid, program: A.program }, []);
	await c.dc.pauseRequest({ threadId: 0 });
	let s;
	try {
		s = (await c.ev.next('stopped')).body;
	} catch (e) {
		if (!isLldb)
			throw e;
		check('a pause right after attaching stops', false, String(e),
		      'lldb-vscode 14 lost it (no stop)');
		s = {};
	}
	check('attached and paused', !!s.threadId, s);
	check('traced', /TracerPid:\s*[1-9]/.test(procStatus(child.pid)),
	      procStatus(child.pid));
	await c.dc.disconnectRequest({ terminateDebuggee: false });
	await done(c);
	// the adapter let it go: not traced, not stopped
	let st = procStatus(child.pid);
	for (let i = 0; i < 500 && !/TracerPid:\s*0\b/.test(st); i++) {
		await new Promise((r) => setTimeout(r, 10));
		st = procStatus(child.pid);
	}
	check('disconnect left it untraced', /TracerPid:\s*0\b/.test(st), st);
	check('and running (not stopped)', !/State:\s*[tT]/.test(st), st);
	child.kill('SIGTERM');
	// (seen once under ASan: no exit within the wait; what the process
	// was then is in the failure, to find out why)
	let timer;
	const how = await Promise.race([exited, new Promise((resolve) => {
		timer = setTimeout(() => resolve('no exit: ' +
			procStatus(child.pid).split('\n').filter((l) =>
				/^(State|TracerPid|SigPnd|ShdPnd|SigBlk)/
					.test(l)).join(', ')), 30000 * A.scale);
	})]);
	clearTimeout(timer);
	check('it then ended by our SIGTERM', how === 'SIGTERM', how);
}

// Attach to a program of 1,500 threads (tests/tracees/many, beside the
// program): the threads request lists every one of them, as /proc has
// them, and disconnect leaves them all untraced. (tracerd only: it is
// about tracerd's own list having no cap.)
async function manyScenario() {
	if (isLldb)
		return;
	const many = path.join(path.dirname(A.program), 'many');
	const child = cp.spawn(many, ['1500'],
			       { stdio: ['ignore', 'pipe', 'inherit'] });
	await new Promise((resolve) => child.stdout.once('data', resolve));
	const exited = new Promise((resolve) =>
		child.on('exit', (code, sig) => resolve(sig || code)));
	const c = await client();
	await start(c, 'attach', { pid: child.pid, program: many }, []);
	await c.dc.pauseRequest({ threadId: 0 });
	await c.ev.next('stopped');
	const th = (await c.dc.threadsRequest()).body.threads;
	const want = fs.readdirSync(`/proc/${child.pid}/task`).map(Number)
		.sort((a, b) => a - b);
	const got = th.map((t) => t.id).sort((a, b) => a - b);
	check('threads: all 1,501 of a program of 1,501 threads',
	      got.length === 1501 && JSON.stringify(got) ===
	      JSON.stringify(want), got.length);
	await c.dc.disconnectRequest({ terminateDebuggee: false });
	await done(c);
	let st = procStatus(child.pid);
	for (let i = 0; i < 500 && !/TracerPid:\s*0\b/.test(st); i++) {
		await new Promise((r) => setTimeout(r, 10));
		st = procStatus(child.pid);
	}
	check('many: disconnect left it untraced', /TracerPid:\s*0\b/.test(st),
	      st);
	child.kill('SIGKILL');
	check('many: it then ended by our SIGKILL',
	      await exited === 'SIGKILL');
}

// Function, instruction and data breakpoints.
async function breakScenario() {
	const c = await client();
	const { dc, ev } = c;
	await start(c, 'launch', launchArgs(), ['BP_MAIN']);
	let s = (await ev.next('stopped')).body;
	const fb = await dc.setFunctionBreakpointsRequest({
		breakpoints: [{ name: 'loop_sum' }] });
	check('function breakpoint on loop_sum verified',
	      fb.body.breakpoints[0].verified, fb.body);
	// an instruction breakpoint where BP_END's line starts
	const lb = await dc.setBreakpointsRequest({
		source: { path: src }, breakpoints: [{ line: L('BP_END') }] });
	const at = lb.body.breakpoints[0].instructionReference;
	await dc.setBreakpointsRequest({ source: { path: src },
					 breakpoints: [] });
	check('a line breakpoint says its address', !!at, lb.body,
	      'lldb-vscode 14 gives no instructionReference');
	await dc.continueRequest({ threadId: s.threadId });
	s = (await ev.next('stopped')).body;
	let frames = await top(c, s.threadId);
	check('stopped at the function breakpoint',
	      s.reason === 'function breakpoint' &&
	      frames[0].name === 'loop_sum', [s, frames[0]],
	      'lldb-vscode 14 stops otherwise');
	await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
	if (!c.caps.supportsDataBreakpoints ||
	    !c.caps.supportsInstructionBreakpoints) {
		check('data and instruction breakpoints', false, c.caps,
		      'lldb-vscode 14 has neither');
		await dc.disconnectRequest({ terminateDebuggee: true });
		await done(c);
		return;
	}
	// a data breakpoint on the global counter (written by worker)
	const info = supports(c, 'supportsDataBreakpoints',
			      'data breakpoints') ?
		await dc.dataBreakpointInfoRequest({ name: 'counter',
						     frameId: frames[0].id }) :
		{ body: {} };
	check('dataBreakpointInfo for counter', !!info.body.dataId,
	      info.body, 'lldb-vscode 14 has no data breakpoints');
	if (info.body.dataId) {
		const db = await dc.setDataBreakpointsRequest({
			breakpoints: [{ dataId: info.body.dataId,
					accessType: 'write' }] });
		check('data breakpoint verified',
		      db.body.breakpoints[0].verified, db.body);
	}
	if (at && supports(c, 'supportsInstructionBreakpoints',
			   'instruction breakpoints')) {
		const ib = await dc.customRequest('setInstructionBreakpoints',
			{ breakpoints: [{ instructionReference: at }] });
		check('instruction breakpoint verified',
		      ib.body.breakpoints[0].verified, ib.body);
	}
	await dc.continueRequest({ threadId: s.threadId });
	s = (await ev.next('stopped')).body;
	frames = await top(c, s.threadId);
	check('the data breakpoint stops in worker after the write',
	      s.reason === 'data breakpoint' && frames[0].name === 'worker',
	      [s, frames[0]], 'lldb-vscode 14 reports it otherwise');
	await dc.setDataBreakpointsRequest({ breakpoints: [] });
	await dc.continueRequest({ threadId: s.threadId });
	s = (await ev.next('stopped')).body;
	frames = await top(c, s.threadId);
	check('the instruction breakpoint stops at BP_END',
	      s.reason === 'instruction breakpoint' &&
	      frames[0].line === L('BP_END'), [s, frames[0]],
	      'lldb-vscode 14 reports it otherwise');
	await dc.continueRequest({ threadId: s.threadId });
	await ev.next('exited');
	await done(c);
}

// Restart: the program launched again, its breakpoints kept.
async function restartScenario() {
	const c = await client();
	if (!supports(c, 'supportsRestartRequest', 'restart')) {
		await done(c);
		return;
	}
	await start(c, 'launch', launchArgs(), ['BP_MAIN']);
	await c.ev.next('stopped');
	const p1 = (await c.ev.next('process')).body.systemProcessId;
	await c.dc.restartRequest({});
	const p2 = (await c.ev.next('process')).body.systemProcessId;
	const s = (await c.ev.next('stopped')).body;
	const frames = await top(c, s.threadId);
	check('restart: a new process', p1 !== p2 && p2 > 0, [p1, p2]);
	check('restart: stopped again at BP_MAIN', s.reason === 'breakpoint' &&
	      frames[0].line === L('BP_MAIN'), [s, frames[0]]);
	await c.dc.continueRequest({ threadId: s.threadId });
	const x = (await c.ev.next('exited')).body;
	check('restart: it runs to its end (7)', x.exitCode === 7, x);
	await done(c);
}

// node leaves when nothing is pending: an adapter that never answers a
// request would end the run silently
let finished = false;
process.on('exit', () => {
	if (!finished)
		console.log('FAIL: harness: the adapter stopped answering');
	if (!finished)
		process.exitCode = 1;
});

const scenarios = { main: mainScenario, breakpoints: breakScenario,
		    restart: restartScenario,
		    pause: pauseScenario,
		    signal: signalScenario, attach: attachScenario,
		    many: manyScenario };

(async () => {
	for (const [name, fn] of Object.entries(scenarios)) {
		if (A.only && !A.only.includes(name))
			continue;
		console.log(`# ${name} (${A.adapter})`);
		try {
			await fn();
		} catch (e) {
			failures++;
			console.log(`FAIL: ${name}: ${e.stack || e}`);
		}
	}
	finished = true;
	console.log(`${A.adapter}: ${checks} checks, ${failures} failed`);
	process.exit(failures ? 1 : 0);
})().catch((e) => {
	console.log(`FAIL: harness: ${e.stack || e}`);
	process.exit(99);
});
