// framing.js: bad input on a DAP connection (tracerd --dap-listen):
// malformed JSON, messages that are not requests, unknown commands and
// a malformed header get an error response or a clean close, and the
// daemon serves the next client. Used by tests/e2e/dap.sh.
//
//   node framing.js PORT
'use strict';

const net = require('net');

const port = Number(process.argv[2]);
let failures = 0;
let checks = 0;

function check(desc, ok, detail) {
	checks++;
	if (ok) {
		console.log(`ok: ${desc}`);
	} else {
		failures++;
		console.log(`FAIL: ${desc}` + (detail !== undefined ?
			`: ${JSON.stringify(detail)}` : ''));
	}
}

// A connection that collects whole messages and says when it closed.
function connect() {
	return new Promise((resolve, reject) => {
		const s = net.createConnection(port, '127.0.0.1');
		const c = { s, msgs: [], closed: false, waiters: [] };
		let buf = Buffer.alloc(0);
		const wake = () => {
			const w = c.waiters;
			c.waiters = [];
			w.forEach((f) => f());
		};
		s.on('data', (d) => {
			buf = Buffer.concat([buf, d]);
			for (;;) {
				const h = buf.indexOf('\r\n\r\n');
				if (h < 0)
					break;
				const m = /Content-Length: (\d+)/i
					.exec(buf.slice(0, h).toString());
				const n = Number(m[1]);
				if (buf.length < h + 4 + n)
					break;
				c.msgs.push(JSON.parse(buf.slice(h + 4,
								 h + 4 + n)));
				buf = buf.slice(h + 4 + n);
			}
			wake();
		});
		s.on('close', () => {
			c.closed = true;
			wake();
		});
		s.on('error', () => {});
		s.on('connect', () => resolve(c));
		s.on('error', reject);
	});
}

function until(c, pred, what) {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error(`timed out ` +
			`waiting for ${what}`)), 60000);
		const look = () => {
			const r = pred();
			if (r) {
				clearTimeout(t);
				resolve(r);
			} else {
				c.waiters.push(look);
			}
		};
		look();
	});
}

function frame(body) {
	const b = Buffer.from(body);
	return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n` +
					  '\r\n'), b]);
}

function reply(c, seq) {
	return until(c, () => c.msgs.find((m) => m.type === 'response' &&
					  m.request_seq === seq),
		     `the response to ${seq}`);
}

(async () => {
	let c = await connect();
	// split anywhere: the header in two writes, the body in a third
	const init = frame(JSON.stringify({ seq: 1, type: 'request',
					    command: 'initialize',
					    arguments: { adapterID: 'x' } }));
	c.s.write(init.slice(0, 7));
	c.s.write(init.slice(7, 20));
	c.s.write(init.slice(20));
	let r = await reply(c, 1);
	check('initialize in three pieces', r.success === true &&
	      r.body.supportsConfigurationDoneRequest === true, r);

	c.s.write(frame('{"seq": 2, "type": "request", "command": '));
	r = await until(c, () => c.msgs.find((m) => m.type === 'response' &&
					     m.success === false &&
					     /malformed JSON/.test(m.message)),
			'an error for malformed JSON');
	check('malformed JSON: an error response', !!r, r);

	c.s.write(frame(JSON.stringify({ seq: 3, type: 'event',
					 event: 'x' })));
	r = await reply(c, 3);
	check('not a request: an error response', r.success === false, r);

	c.s.write(frame(JSON.stringify({ seq: 4, type: 'request',
					 command: 'noSuchThing' })));
	r = await reply(c, 4);
	check('an unknown command: an error response',
	      r.success === false && /noSuchThing/.test(r.message), r);

	c.s.write(frame(JSON.stringify({ seq: 5, type: 'request',
					 command: 'stackTrace',
					 arguments: { threadId: 'x' } })));
	r = await reply(c, 5);
	check('stackTrace before launch: an error response',
	      r.success === false, r);

	c.s.write(frame(JSON.stringify({ seq: 6, type: 'request',
					 command: 'launch',
					 arguments: { program: 42 } })));
	r = await reply(c, 6);
	check('launch without a program path: an error response',
	      r.success === false && /program/.test(r.message), r);

	c.s.write(frame(JSON.stringify({ seq: 7, type: 'request',
					 command: 'launch',
					 arguments: {
						 program: '/nonexistent/prog' },
				       })));
	r = await reply(c, 7);
	check('launch of a missing program: an error response',
	      r.success === false, r);

	// a header that is not one: the connection is closed
	c.s.write('Content-Length: lots\r\n\r\n{}');
	await until(c, () => c.closed, 'the close');
	check('a malformed header: the connection closed', c.closed);

	// the daemon lives on
	c = await connect();
	c.s.write(init);
	r = await reply(c, 1);
	check('the next client is served', r.success === true, r);
	c.s.end();
	console.log(`framing: ${checks} checks, ${failures} failed`);
	process.exit(failures ? 1 : 0);
})().catch((e) => {
	console.log(`FAIL: harness: ${e.stack || e}`);
	process.exit(99);
});
