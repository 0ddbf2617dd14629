import { hunt } from '@sequent/engine';
import { loadRules, type RuleLoadReport } from '@sequent/rules';
import { UsageError, type Command } from '../command';
import { readNdjson, writeLine } from '../io';

interface HuntArgs {
  rules: string[];
  events?: string;
  history?: string;
  index?: string;
  valueLists: string[];
}

/** `--rules` takes every following argument up to the next option (and may repeat). */
function parseHuntArgs(args: string[]): HuntArgs {
  const out: HuntArgs = { rules: [], valueLists: [] };
  const value = (i: number, flag: string): string => {
    const v = args[i];
    if (v === undefined || (v.startsWith('--') && v.length > 2))
      throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    switch (flag) {
      case '--rules':
        if (inline !== undefined) out.rules.push(inline);
        else {
          value(i + 1, '--rules');
          while (i + 1 < args.length && !args[i + 1].startsWith('--')) out.rules.push(args[++i]);
        }
        break;
      case '--events':
        out.events = inline ?? value(++i, '--events');
        break;
      case '--history':
        out.history = inline ?? value(++i, '--history');
        break;
      case '--index':
        out.index = inline ?? value(++i, '--index');
        break;
      case '--value-list':
        out.valueLists.push(inline ?? value(++i, '--value-list'));
        break;
      default:
        throw new UsageError(`unexpected argument ${a}`);
    }
  }
  if (out.rules.length === 0) throw new UsageError('give rule files or folders with --rules');
  if (!out.events) throw new UsageError('give the events with --events FILE.ndjson (or - for stdin)');
  return out;
}

function describeFailure(r: RuleLoadReport): string {
  const id = r.rule_id ? ` ${r.rule_id}` : '';
  return `sequent hunt: rule not loaded: ${r.source}${id}: ${r.errors.join('; ')}`;
}

export const huntCommand: Command = {
  name: 'hunt',
  summary: 'Run detection rules over a file of events and print alerts',
  usage: `
Usage: sequent hunt --rules PATH... --events FILE.ndjson [--index NAME] [--history FILE.ndjson]
                    [--value-list FILE]...

Runs rules (files or folders of detection-rules TOML, Kibana rule export NDJSON, JSON) over the
events in event-time order through the streaming engine, and prints one alert per line (NDJSON).

--index NAME         assigns an index to events that have none (no _index, no data_stream)
--history FILE       events that only teach new_terms rules their history (backfill), never alert
--value-list FILE    a Kibana value list for exception entries of type "list"; repeatable

Rules that fail to load, or that the stream cannot run, are reported on stderr; the others run.
Exit status: 0 when the hunt ran (alerts or not), 1 when the events had unreadable lines or no
rule could run, 2 on bad arguments.
`,
  async run(args) {
    const opts = parseHuntArgs(args);
    const loaded = loadRules(opts.rules, { valueListFiles: opts.valueLists });
    for (const r of loaded.reports)
      if (r.status === 'failed') process.stderr.write(describeFailure(r) + '\n');
    for (const u of loaded.unsupported)
      process.stderr.write(`sequent hunt: rule not run: ${u.meta.rule_id} (${u.meta.name}): ${u.reason}\n`);
    for (const e of loaded.otherErrors) process.stderr.write(`sequent hunt: ${e.source}: ${e.message}\n`);

    let badLines = 0;
    const onError = (file: string) => (line: number, message: string) => {
      badLines++;
      process.stderr.write(JSON.stringify({ error: `not JSON: ${message}`, file, line }) + '\n');
    };
    const events = await readNdjson(opts.events!, onError(opts.events!));
    const history = opts.history ? await readNdjson(opts.history, onError(opts.history)) : undefined;

    const result = await hunt(loaded.rules, events, { index: opts.index, history });
    for (const s of result.skippedRules)
      process.stderr.write(`sequent hunt: rule not run: ${s.meta.rule_id} (${s.meta.name}): ${s.reason}\n`);
    for (const alert of result.alerts) await writeLine(JSON.stringify(alert));
    const ran = loaded.rules.length - result.skippedRules.length;
    process.stderr.write(
      `sequent hunt: ${ran} rules over ${events.length} events: ${result.alerts.length} alerts` +
        (result.stats.untimed > 0 ? `, ${result.stats.untimed} events without a timestamp` : '') +
        '\n',
    );
    return badLines > 0 || ran === 0 ? 1 : 0;
  },
};
