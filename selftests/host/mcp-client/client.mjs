// SPDX-License-Identifier: GPL-2.0-only
//
// `actplane mcp` driven by a real client: the official MCP TypeScript SDK's
// Client over its StdioClientTransport, which spawns the server the way an
// agent does.  Run by test_mcp_sdk.sh from a directory whose node_modules is
// build/mcp-client/node_modules (package.json here pins the SDK):
//
//   node client.mjs ACTPLANE WORKSPACE
//
// WORKSPACE holds an actplane.yaml and a .actplane/violations.jsonl with a
// record of the rule no-agent-push.  Prints KTAP: one result per check
// ("ok N mcp-sdk: ...", "not ok N mcp-sdk: ... # why"), the plan last; exits 1
// if any failed.
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ErrorCode, LATEST_PROTOCOL_VERSION, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

const [ap, ws] = process.argv.slice(2);
const T = { timeout: 20000 };	// per request: a hang fails, it does not stall
const LINE_MAX = 4 << 20;	// the server's limit on one message

// valid arguments for every tool the server may list; a tool missing here
// fails the test until it gets some
const ARGS = {
	check_policy: {
		policy: 'source SECRET = file "**/.env"\nrule no-egress:\n' +
			'  block connect endpoint "*" if SECRET\n  because "keep secrets local"\n',
	},
	explain: { event: 'exec git push origin main', labels: ['AGENT'] },
};

let failed = 0, n = 0, skipped = 0;
// a KTAP description or reason: one line, no '#'
const ktap = (s) => String(s).replace(/[\n#]/g, ' ');
const finish = () => console.log(`1..${n}\n# Totals: pass:${n - failed - skipped} fail:${failed} skip:${skipped}`);
console.log('KTAP version 1');
const why = (e) => String(e?.message ?? e).replace(/\s+/g, ' ').slice(0, 400);

async function check(name, fn) {
	try {
		await fn();
		console.log(`ok ${++n} mcp-sdk: ${ktap(name)}`);
		return true;
	} catch (e) {
		failed++;
		console.log(`not ok ${++n} mcp-sdk: ${ktap(name)} # ${ktap(why(e))}`);
		return false;
	}
}

// fn must reject with an McpError of that code
async function rejects(fn, code, fragment) {
	let err;

	try {
		await fn();
	} catch (e) {
		err = e;
	}
	assert.ok(err, 'the call succeeded');
	assert.ok(err instanceof McpError, `not a JSON-RPC error: ${why(err)}`);
	assert.equal(err.code, code, why(err));
	if (fragment)
		assert.match(err.message, fragment);
	return err;
}

// a raw control, separator or bidi character (what ap_esc_json escapes)
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufffd]/u;

// the text block is the JSON of structuredContent, with nothing raw in it
function textIsStructured(r) {
	assert.equal(r.content.length, 1, 'one content block');
	assert.equal(r.content[0].type, 'text');
	assert.doesNotMatch(r.content[0].text, RAW);
	assert.deepEqual(JSON.parse(r.content[0].text), r.structuredContent);
}

// The transport, seen from the middle: every message sent and received.
class Spy {
	constructor(inner) {
		this.inner = inner;
		this.sent = [];
		this.received = [];
	}

	async start() {
		this.inner.onmessage = (m, extra) => {
			this.received.push(m);
			this.onmessage?.(m, extra);
		};
		this.inner.onerror = (e) => this.onerror?.(e);
		this.inner.onclose = () => this.onclose?.();
		return this.inner.start();
	}

	async send(m, opts) {
		this.sent.push(m);
		return this.inner.send(m, opts);
	}

	async close() {
		return this.inner.close();
	}
}

const transport = new StdioClientTransport({
	command: ap, args: ['mcp'], cwd: ws, stderr: 'pipe',
});
let stderr = '';
transport.stderr.on('data', (d) => { stderr += d; });
const spy = new Spy(transport);
const client = new Client({ name: 'actplane-selftest', version: '1.0.0' },
			  { capabilities: {} });
const sdkErrors = [];
client.onerror = (e) => sdkErrors.push(e);

// ---- lifecycle -----------------------------------------------------------------
const up = await check('the SDK client connects: initialize, then notifications/initialized',
	async () => {
		await client.connect(spy, T);
		assert.deepEqual(spy.sent.map((m) => m.method),
				 ['initialize', 'notifications/initialized']);
	});
if (!up) {
	console.log(`# server stderr: ${why(stderr)}`);
	finish();
	process.exit(1);
}
await check(`initialize negotiates the client's protocolVersion (${LATEST_PROTOCOL_VERSION})`, () => {
	const init = spy.received.find((m) => m.id === spy.sent[0].id);

	assert.equal(spy.sent[0].params.protocolVersion, LATEST_PROTOCOL_VERSION);
	assert.equal(init?.result?.protocolVersion, LATEST_PROTOCOL_VERSION);
});
await check('serverInfo names actplane; capabilities offer tools and resources', () => {
	assert.equal(client.getServerVersion()?.name, 'actplane');
	assert.ok(client.getServerCapabilities()?.tools);
	assert.ok(client.getServerCapabilities()?.resources);
	assert.match(client.getInstructions() ?? '', /check_policy/);
});
await check('ping', async () => assert.deepEqual(await client.ping(T), {}));

// ---- tools ---------------------------------------------------------------------
let tools = [];
await check('tools/list: every tool has input and output schemas and readOnlyHint', async () => {
	({ tools } = await client.listTools(undefined, T));
	assert.ok(tools.some((t) => t.name === 'check_policy'), 'no check_policy');
	for (const t of tools) {
		assert.equal(t.inputSchema?.type, 'object', `${t.name}: inputSchema`);
		assert.equal(t.outputSchema?.type, 'object', `${t.name}: outputSchema`);
		assert.equal(t.annotations?.readOnlyHint, true, `${t.name}: readOnlyHint`);
		assert.ok(t.title && t.description, `${t.name}: title and description`);
	}
});
await check('every schema is valid JSON Schema (Ajv, strict mode)', () => {
	const ajv = new Ajv({ strict: true, allErrors: true });

	for (const t of tools) {
		ajv.compile(t.inputSchema);
		ajv.compile(t.outputSchema);
	}
});
const validate = new AjvJsonSchemaValidator();
for (const t of tools) {
	await check(`tools/call ${t.name}: structuredContent matches the outputSchema; ` +
		    'the text block is its JSON', async () => {
		assert.ok(ARGS[t.name], `no test arguments for the tool ${t.name}: add them ` +
			  'to ARGS in selftests/host/mcp-client/client.mjs');
		// callTool itself rejects structuredContent that does not match the
		// outputSchema (the SDK validates it); checked here once more
		const r = await client.callTool({ name: t.name, arguments: ARGS[t.name] },
						undefined, T);
		const v = validate.getValidator(t.outputSchema)(r.structuredContent);

		assert.equal(r.isError, false, why(r.content?.[0]?.text));
		assert.equal(typeof r.structuredContent, 'object');
		assert.ok(v.valid, v.errorMessage);
		textIsStructured(r);
	});
}
if (tools.some((t) => t.name === 'explain')) {
	// the workspace's starter policy (actplane init) blocks git push by an AGENT
	await check('explain: "exec git push" by an AGENT is blocked by no-agent-push', async () => {
		const r = await client.callTool({ name: 'explain', arguments: ARGS.explain },
						undefined, T);
		const d = r.structuredContent?.decision;

		assert.equal(r.isError, false, why(r.content?.[0]?.text));
		assert.equal(d?.effect, 'block');
		assert.equal(d?.denied, true);
		assert.equal(d?.rule, 'no-agent-push');
		assert.match(d?.because ?? '', /Pushing is left to the user/);
	});
	await check('explain: the same without the label is allowed', async () => {
		const r = await client.callTool({ name: 'explain',
			arguments: { event: 'exec git push origin main' } }, undefined, T);

		assert.equal(r.isError, false, why(r.content?.[0]?.text));
		assert.equal(r.structuredContent?.decision?.effect, 'allow');
		assert.equal(r.structuredContent?.decision?.denied, false);
	});
	await check('explain: a bad event is a tool error with the reason', async () => {
		const r = await client.callTool({ name: 'explain',
			arguments: { event: 'teleport /tmp/x' } }, undefined, T);

		assert.equal(r.isError, true);
		assert.ok((r.content?.[0]?.text ?? '').length > 0);
	});
} else {
	skipped++;
	console.log(`ok ${++n} mcp-sdk: explain # SKIP the server has no explain tool (yet)`);
}
await check('check_policy: a valid snippet gives valid, the rule count and the summary', async () => {
	const r = await client.callTool({ name: 'check_policy', arguments: ARGS.check_policy },
					undefined, T);
	const s = r.structuredContent;

	assert.equal(s.valid, true);
	assert.equal(s.format, 'dsl');
	assert.equal(s.rules, 1);
	assert.match(s.summary, /^ok: 1 rule/);
	assert.deepEqual(s.diagnostics, []);
});
await check('check_policy: a bad YAML file gives its errors with positions', async () => {
	const r = await client.callTool({ name: 'check_policy', arguments: {
		policy: 'version: 1\npolicy: |\n  rule r:\n    blok exec "git" if NOPE\n',
	} }, undefined, T);
	const s = r.structuredContent;

	assert.equal(r.isError, false);
	assert.equal(s.valid, false);
	assert.equal(s.format, 'yaml');
	assert.ok(s.errors >= 1);
	assert.ok(s.diagnostics.some((d) => d.line === 4 && /blok/.test(d.message)),
		  JSON.stringify(s.diagnostics));
	textIsStructured(r);
});
await check('check_policy: hostile text is raw in structuredContent, escaped in the text',
	async () => {
		const evil = 'rule r\u001b[2J\u202e\u2028\u0085\u007f:\n  block exec "x"\n';
		const r = await client.callTool({ name: 'check_policy',
						  arguments: { policy: evil } }, undefined, T);

		assert.ok(r.structuredContent.diagnostics.some((d) =>
			(d.source ?? '').includes('\u001b[2J\u202e\u2028')));
		textIsStructured(r);
		assert.match(r.content[0].text, /\\u001b\[2J\\u202e\\u2028/);
	});
await check('check_policy: a missing argument is a tool error (isError), not a protocol error',
	async () => {
		const r = await client.callTool({ name: 'check_policy', arguments: {} },
						undefined, T);

		assert.equal(r.isError, true);
		assert.equal(r.structuredContent, undefined);
		assert.match(r.content[0].text, /"policy"/);
	});
await check('an unknown tool is a JSON-RPC error (Invalid params)', () =>
	rejects(() => client.callTool({ name: 'no_such_tool', arguments: {} }, undefined, T),
		ErrorCode.InvalidParams, /Unknown tool/));
await check('an argument over the 4 MiB message limit gets Invalid Request under its own id',
	() => rejects(() => client.callTool({ name: 'check_policy', arguments: {
		policy: `# ${'x'.repeat(LINE_MAX + 1024)}\n`,
	} }, undefined, T), ErrorCode.InvalidRequest, /too large/));
await check('after it the server serves the next request', async () => {
	const r = await client.callTool({ name: 'check_policy', arguments: ARGS.check_policy },
					undefined, T);

	assert.equal(r.structuredContent.valid, true);
});
await check('an argument just under the limit (3 MiB) is served', async () => {
	const r = await client.callTool({ name: 'check_policy', arguments: {
		policy: `# ${'x'.repeat(3 << 20)}\n${ARGS.check_policy.policy}`, format: 'dsl',
	} }, undefined, T);

	assert.equal(r.structuredContent.valid, true);
});

// ---- resources -------------------------------------------------------------------
let resources = [];
await check('resources/list: the policy and the latest violations', async () => {
	({ resources } = await client.listResources(undefined, T));
	assert.deepEqual(resources.map((r) => r.uri).sort(),
			 ['actplane://policy', 'actplane://violations/latest']);
	for (const r of resources)
		assert.ok(r.name && r.title && r.description && r.mimeType, r.uri);
});
const expect = {
	'actplane://policy': /`actplane check`: ok: \d+ rules?/,
	'actplane://violations/latest': /no-agent-push[\s\S]*Pushing is left to the user\./,
};
for (const res of resources) {
	await check(`resources/read ${res.uri}`, async () => {
		const { contents } = await client.readResource({ uri: res.uri }, T);

		assert.equal(contents.length, 1);
		assert.equal(contents[0].uri, res.uri);
		assert.equal(contents[0].mimeType, res.mimeType);
		assert.equal(typeof contents[0].text, 'string');
		assert.doesNotMatch(contents[0].text, RAW);
		assert.match(contents[0].text, expect[res.uri] ?? /./);
	});
}
await check('resources/templates/list is empty', async () =>
	assert.deepEqual((await client.listResourceTemplates(undefined, T)).resourceTemplates, []));
await check('an unknown resource is Resource not found (-32002)', () =>
	rejects(() => client.readResource({ uri: 'actplane://nope' }, T), -32002));

// ---- the end ---------------------------------------------------------------------
await check('every answer was valid JSON-RPC for the SDK (no transport or protocol error)',
	() => assert.deepEqual(sdkErrors.map(why), []));
await check('the server wrote nothing on stderr', () => assert.equal(stderr, ''));
await check('the client closes its end; the server exits by itself', async () => {
	const pid = transport.pid, t0 = Date.now();

	// the transport ends stdin, waits 2 s for an exit, then sends SIGTERM
	await client.close();
	assert.ok(Date.now() - t0 < 1500, `the server took ${Date.now() - t0} ms`);
	assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
});
finish();
process.exit(failed ? 1 : 0);
