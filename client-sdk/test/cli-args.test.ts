// The CLI's flag parsers alone (cli.test.ts runs the whole `brook` binary against a broker).
import fc from 'fast-check';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliError, credentials, parseConfig, parseDuration, repeatable, wholeNumber } from '../src/cli/args.js';

describe('brook CLI argument parsers', () => {
  it('parseDuration reads every PnDTnHnMnS it is given, as kafka-consumer-groups.sh --by-duration', () => {
    fc.assert(
      fc.property(fc.nat(400), fc.nat(30), fc.nat(59), fc.nat(59), (d, h, m, s) => {
        const text = `P${d}DT${h}H${m}M${s}S`;
        expect(parseDuration(text)).toBe((((d * 24 + h) * 60 + m) * 60 + s) * 1000);
      }),
    );
    expect(parseDuration('PT1H')).toBe(3_600_000);
    expect(parseDuration('P1D')).toBe(86_400_000);
    expect(parseDuration('PT0.5S')).toBe(500);
    for (const bad of ['P', 'PT', 'one hour', '1H', 'PT1X', 'P1DT']) expect(() => parseDuration(bad), bad).toThrow(CliError);
  });

  it('wholeNumber takes whole numbers from its minimum up and names its rule otherwise', () => {
    const port = wholeNumber(1);
    expect(port('7092')).toBe(7092);
    expect(port(' 3 ')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'abc', '', '1e3', '99999999999999999999']) expect(() => port(bad), bad).toThrow(InvalidArgumentError);
    expect(() => port('0')).toThrow('expected a whole number >= 1, got "0"');
  });

  it('parseConfig splits key=value at the first "=", and refuses a pair without a key', () => {
    expect(parseConfig(['retention.ms=1000', 'x=a=b', 'empty='])).toEqual({ 'retention.ms': '1000', x: 'a=b', empty: '' });
    expect(() => parseConfig(['=1'])).toThrow(CliError);
    expect(() => parseConfig(['novalue'])).toThrow('--config expects key=value, got "novalue"');
  });

  it('credentials split name:secret at the first ":" (for --user and --to-user alike)', () => {
    expect(credentials('--user', 'alice:s:e:c', 'scram-sha-256')).toEqual({ mechanism: 'scram-sha-256', username: 'alice', password: 's:e:c' });
    expect(credentials('--user', undefined, 'plain')).toBeUndefined();
    expect(() => credentials('--to-user', 'alice', 'plain')).toThrow('--to-user expects name:secret');
    expect(() => credentials('--user', ':secret', 'plain')).toThrow(CliError);
  });

  it('repeatable collects a flag given several times, in order', () => {
    expect(['a', 'b', 'c'].reduce((acc, v) => repeatable(v, acc), [] as string[])).toEqual(['a', 'b', 'c']);
  });
});
