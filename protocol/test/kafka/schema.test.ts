// The versioned schema language on small declarations: fields by version, defaults, ignorable
// fields, nullable versions, tagged fields (unknown tags skipped) and compact encodings.
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/io.js';
import { kafka } from '../../src/index.js';

const { array, field, int16, int32, message, string, struct, uuid, UnsupportedVersionError } = kafka;

const Item = struct('Item', {
  id: field(int32, '0+'),
  note: field(string, '1+', { nullable: '1+', default: null }),
});

const Demo = message('Demo', { apiKey: 999, validVersions: '0-3', flexibleVersions: '2+' }, {
  name: field(string, '0+'),
  items: field(array(Item), '0+', { nullable: '1+' }),
  retries: field(int16, '1+', { default: -1, ignorable: true }),
  owner: field(string, '0-1'),
  topicId: field(uuid, '3+'),
  hint: field(string, '2+', { nullable: '2+', default: null, tag: 0, tagged: '2+' }),
  weight: field(int32, '2+', { default: 7, tag: 3, tagged: '2+' }),
});

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const base = { name: 'a', items: [], retries: -1, owner: '', topicId: kafka.ZERO_UUID, hint: null, weight: 7 };

describe('versioned schema language', () => {
  it('infers one TypeScript type for all versions', () => {
    const v: kafka.Infer<typeof Demo> = { ...base, items: null };
    expect(Demo.defaults()).toEqual({ ...base, name: '' });
    expect(v.items).toBeNull();
  });

  it('writes only the fields of the version, non-compact before flexibleVersions', () => {
    // v0: name (int16 len), items (int32 count), owner.
    expect(hex(Demo.encode(0, { ...base, owner: 'o' }))).toBe('00016100000000' + '00016f');
    // v2: compact string (len+1), compact array (count+1), retries, then the tagged section (0 tags).
    expect(hex(Demo.encode(2, base))).toBe('0261' + '01' + 'ffff' + '00');
  });

  it('decodes fields absent in a version to their defaults', () => {
    expect(Demo.decode(0, Demo.encode(0, { ...base, owner: 'o' }))).toEqual({ ...base, owner: 'o' });
  });

  it('refuses a non-default value for a field the version lacks, drops an ignorable one', () => {
    expect(() => Demo.encode(0, { ...base, topicId: 'AQAAAAAAAAAAAAAAAAAAAA' })).toThrow(UnsupportedVersionError);
    expect(() => Demo.encode(2, { ...base, owner: 'o' })).toThrow(UnsupportedVersionError);
    expect(Demo.decode(0, Demo.encode(0, { ...base, retries: 5 })).retries).toBe(-1);
  });

  it('allows null only in nullable versions', () => {
    expect(() => Demo.encode(0, { ...base, items: null })).toThrow(UnsupportedVersionError);
    expect(Demo.decode(1, Demo.encode(1, { ...base, items: null })).items).toBeNull();
    // A null array on the wire of a version where it is not nullable is a ProtocolError.
    expect(() => Demo.decode(0, Uint8Array.from([0, 1, 0x61, 0xff, 0xff, 0xff, 0xff, 0, 0]))).toThrow(ProtocolError);
  });

  it('writes tagged fields only when not default, in tag order, and reads them back', () => {
    const bytes = Demo.encode(2, { ...base, hint: 'h', weight: 9 });
    expect(hex(bytes)).toBe('0261' + '01' + 'ffff' + '02' + '00' + '02' + '0268' + '03' + '04' + '00000009');
    expect(Demo.decode(2, bytes)).toEqual({ ...base, hint: 'h', weight: 9 });
  });

  it('skips unknown tags and refuses a tagged field whose size does not match', () => {
    const unknown = Uint8Array.from([0x02, 0x61, 0x01, 0xff, 0xff, 0x01, 0x05, 0x02, 0xaa, 0xbb]);
    expect(Demo.decode(2, unknown)).toEqual(base);
    const wrongSize = Uint8Array.from([0x02, 0x61, 0x01, 0xff, 0xff, 0x01, 0x03, 0x05, 0, 0, 0, 9, 0]);
    expect(() => Demo.decode(2, wrongSize)).toThrow(ProtocolError);
  });

  it('refuses unknown versions, counts larger than the bytes left, and trailing bytes', () => {
    expect(() => Demo.encode(4, base)).toThrow(UnsupportedVersionError);
    // v1: name "a", then an items count of 2^31 - 1 with nothing behind it.
    expect(() => Demo.decode(1, Uint8Array.from([0, 1, 0x61, 0x7f, 0xff, 0xff, 0xff]))).toThrow(/exceeds/);
    // v2: compact count of 2^32 - 2.
    expect(() => Demo.decode(2, Uint8Array.from([0x02, 0x61, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(ProtocolError);
    expect(() => Demo.decode(0, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1]))).toThrow(/trailing/);
  });

  it('precompiles each version once', () => {
    expect(Demo.version(2)).toBe(Demo.version(2));
    expect(Demo.version(1)).not.toBe(Demo.version(2));
  });

  it('round-trips uuids in the form Kafka prints them', () => {
    const id = '3R0OJ7QNRde2Pb5V3R-kfw';
    const bytes = Demo.encode(3, { ...base, topicId: id });
    expect(Demo.decode(3, bytes).topicId).toBe(id);
    expect(() => Demo.encode(3, { ...base, topicId: '3R0OJ7QNRde2Pb5V3R-kfx' })).toThrow(RangeError);
  });

  it('returns encodings that later encodes do not overwrite', () => {
    const a = Demo.encode(0, { ...base, name: 'first' });
    const copy = a.slice();
    Demo.encode(0, { ...base, name: 'second!' });
    expect(a).toEqual(copy);
  });

  it('keeps records as a view of the frame, not a copy', () => {
    const v = { ...kafka.ProduceRequest.defaults(), topicData: [{ name: 't', topicId: kafka.ZERO_UUID, partitionData: [{ index: 0, records: Uint8Array.of(1, 2, 3) }] }] };
    const bytes = kafka.ProduceRequest.encode(9, v);
    const records = kafka.ProduceRequest.decode(9, bytes).topicData[0]!.partitionData[0]!.records as Uint8Array; // decoded: one array
    expect(Array.from(records)).toEqual([1, 2, 3]);
    expect(records.buffer).toBe(bytes.buffer);
  });
});
