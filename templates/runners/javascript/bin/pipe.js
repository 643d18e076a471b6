// pipe.js - lp's JavaScript runner: the LangServer bin/pipe protocol (langpacks spec 4.2)
// SPDX-License-Identifier: MIT
//
// Loads src/<algoname>.js (algoname from algorithmia.conf, else
// $ALGORITHMIA_ALGORITHM_NAME, else the one src/*.js file) and calls its
// exported apply(input, cb) once per request, strictly one at a time;
// cb(err, result). An apply that takes one argument may instead return the
// result or a Promise of it.
//   stdin:  one compact JSON line per request, {"content_type": "text"|"json"|"binary", "data": ...}
//   stdout: PIPE_INIT_COMPLETE once loaded (before reading any input)
//   output FIFO ($ALGOOUT, default /tmp/algoout), opened fresh per response,
//   one JSON document plus "\n":
//     {"result": <value>, "metadata": {"content_type": "text"|"json"|"binary"}}
//     {"error": {"message": "...", "stacktrace": "...", "error_type": "..."}}
// Buffer results are sent base64-encoded as binary, strings as text, anything
// else as json. EOF on stdin ends the process with status 0; a load error exits 1.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

const ROOT = path.resolve(__dirname, '..');
const OUT = process.env.ALGOOUT || '/tmp/algoout';

// algorithmia.conf's algoname, else $ALGORITHMIA_ALGORITHM_NAME (as upstream's
// Java runner), else the stem of the one src/*.js file.
function algoname() {
	const conf = path.join(ROOT, 'algorithmia.conf');
	if (fs.existsSync(conf))
		return JSON.parse(fs.readFileSync(conf, 'utf8')).algoname;
	if (process.env.ALGORITHMIA_ALGORITHM_NAME)
		return process.env.ALGORITHMIA_ALGORITHM_NAME;
	const src = path.join(ROOT, 'src');
	const found = (fs.existsSync(src) ? fs.readdirSync(src) : [])
		.filter((f) => f.endsWith('.js')).sort();
	if (found.length !== 1)
		throw new Error('no algorithmia.conf and no ALGORITHMIA_ALGORITHM_NAME, and src/ holds ' +
			(found.join(', ') || 'no .js file') + ': cannot tell which is the algorithm');
	return found[0].slice(0, -3);
}

function loadApply() {
	const name = algoname();
	const mod = require(path.join(ROOT, 'src', name + '.js'));
	const apply = typeof mod === 'function' ? mod : mod.apply;
	if (typeof apply !== 'function')
		throw new Error('src/' + name + '.js exports no apply function');
	return apply;
}

function decodeInput(request) {
	if (request === null || typeof request !== 'object')
		throw new Error('request is not a JSON object');
	switch (request.content_type) {
	case 'text':
	case 'json':
		return request.data;
	case 'binary':
		return Buffer.from(request.data, 'base64');
	default:
		throw new Error('unsupported content_type ' + JSON.stringify(request.content_type));
	}
}

function success(result) {
	if (Buffer.isBuffer(result))
		return { result: result.toString('base64'), metadata: { content_type: 'binary' } };
	if (typeof result === 'string')
		return { result: result, metadata: { content_type: 'text' } };
	return { result: result === undefined ? null : result, metadata: { content_type: 'json' } };
}

function failure(err, errorType) {
	const e = err instanceof Error ? err : { message: String(err) };
	const out = { message: String(e.message) };
	if (e.stack)
		out.stacktrace = String(e.stack);
	out.error_type = typeof e.error_type === 'string' ? e.error_type : (errorType || 'AlgorithmError');
	return { error: out };
}

function respond(doc) {
	let text;
	try {
		text = JSON.stringify(doc);
	} catch (e) {
		text = JSON.stringify(failure(e));
	}
	// A fresh open per response: the server opens the FIFO for reading once
	// per request and reads the first JSON value. Sync writes keep the order.
	fs.writeFileSync(OUT, text + '\n');
}

function call(apply, input, done) {
	let finished = false;
	const once = (err, result) => {
		if (finished)
			return;
		finished = true;
		done(err, result);
	};
	try {
		if (apply.length >= 2) {
			apply(input, once);
			return;
		}
		const r = apply(input);
		if (r && typeof r.then === 'function')
			r.then((v) => once(null, v), (e) => once(e || new Error('rejected')));
		else
			once(null, r);
	} catch (e) {
		once(e);
	}
}

function main() {
	let apply;
	try {
		apply = loadApply();
	} catch (e) {
		process.stderr.write(String((e && e.stack) || e) + '\n');
		process.exit(1);
	}
	process.stdout.write('PIPE_INIT_COMPLETE\n');

	const queue = [];
	let busy = false;
	let closed = false;
	const next = () => {
		if (busy)
			return;
		if (!queue.length) {
			if (closed)
				process.exit(0);
			return;
		}
		const line = queue.shift();
		let input;
		try {
			input = decodeInput(JSON.parse(line));
		} catch (e) {
			respond(failure(e, 'SystemError'));
			setImmediate(next);
			return;
		}
		busy = true;
		call(apply, input, (err, result) => {
			respond(err ? failure(err) : success(result));
			busy = false;
			setImmediate(next);
		});
	};
	const rl = readline.createInterface({ input: process.stdin, terminal: false });
	rl.on('line', (line) => {
		if (line.trim()) {
			queue.push(line);
			next();
		}
	});
	rl.on('close', () => {
		closed = true;
		next();
	});
}

main();
