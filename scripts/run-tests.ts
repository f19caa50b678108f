/**
 * `npm test`: makes sure a real Kafka and a real S3 are there, and the real readers' virtualenv
 * (test/readers/requirements.txt), then runs every unit and integration test with node's test runner.
 * `npm run test:unit` (`--unit`) runs the unit tier alone, without the stack.
 *
 * When KAFKA_BROKERS and S3_ENDPOINT are set (docker compose, or a stack you run), the tests use
 * them. Otherwise the project's local stack is started (`tukang stack up`), and stopped again at the
 * end if this run started it.
 *
 * The test files are listed here and passed to `node --test` one by one: Node 22 and later read the
 * runner's arguments as glob patterns, not as folders to search.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readersPython } from '../test/helpers/python-readers.js';
import { testFiles as listTests } from './test-files.js';
import { parseConfig } from '../src/config/load.js';
import { resolveHome } from '../src/stack/layout.js';
import { stackDown, stackStatus, stackUp, type StackOptions } from '../src/stack/stack.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function main(): Promise<number> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const args = process.argv.slice(2);
  if (args[0] === '--unit') return runNodeTests(testFiles('dist/test/unit'), 2);
  const external = process.env['KAFKA_BROKERS'] !== undefined && process.env['S3_ENDPOINT'] !== undefined;
  let startedHere = false;
  const config = parseConfig({});
  const options: StackOptions = {
    home: resolveHome(null),
    ports: { kafka: config.stack.kafka_port, kafkaController: config.stack.kafka_controller_port, s3: config.stack.s3_port },
    readyTimeoutMs: config.stack.ready_timeout,
    log: (m) => process.stdout.write(`[stack] ${m}\n`),
  };

  if (external) {
    process.env['TUKANG_EXTERNAL_STACK'] = '1';
    process.stdout.write(`[stack] using KAFKA_BROKERS=${process.env['KAFKA_BROKERS']} S3_ENDPOINT=${process.env['S3_ENDPOINT']}\n`);
  } else {
    const before = await stackStatus(options);
    startedHere = before.kafka.state !== 'running' || before.s3.state !== 'running';
    const t0 = Date.now();
    const status = await stackUp(options);
    process.stdout.write(`[stack] ready in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    process.env['KAFKA_BROKERS'] = status.brokers;
    process.env['S3_ENDPOINT'] = status.s3_endpoint;
  }

  const t1 = Date.now();
  await readersPython((m) => process.stdout.write(`[readers] ${m}\n`));
  process.stdout.write(`[readers] ready in ${((Date.now() - t1) / 1000).toFixed(1)} s\n`);

  let code: number;
  if (args.length > 0) {
    code = await runNodeTests(args, 2);
  } else {
    // Tests that restart the shared servers run alone, after everything else.
    code = await runNodeTests([...testFiles('dist/test/unit'), ...testFiles('dist/test/integration')], 2);
    code = (await runNodeTests(testFiles('dist/test/disruptive'), 1)) || code;
  }

  if (startedHere && process.env['TUKANG_KEEP_STACK'] !== '1') {
    await stackDown({ home: options.home, log: options.log });
  }
  return code;
}

function testFiles(folder: string): string[] {
  return listTests(root, folder);
}

function runNodeTests(targets: string[], concurrency: number): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...targets], { cwd: root, stdio: 'inherit', env: process.env });
    child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`tests could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
