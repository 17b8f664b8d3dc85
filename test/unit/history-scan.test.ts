/*
 * historyText: the searchable text of a proto History. Payload data are bytes; JSON.stringify of the
 * History shows them as base64 (a decoded History, as fetchHistory returns) or {"0":123,…} (a plain
 * object), so a scan over it can never find what a payload holds.
 */
import proto from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { historyText, maskDatum } from '../../runtime/history-scan';

type Payload = proto.temporal.api.common.v1.IPayload;
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const json = (value: unknown): Payload => ({ metadata: { encoding: bytes('json/plain') }, data: bytes(JSON.stringify(value)) });

describe('historyText', () => {
  it('finds a phone in a start input that JSON.stringify of the history cannot see', () => {
    const history: proto.temporal.api.history.v1.IHistory = {
      events: [{ workflowExecutionStartedEventAttributes: { workflowType: { name: 'creditLine' }, input: { payloads: [json({ phone: '13712340000' })] } } }],
    };
    expect(historyText(history)).toContain('13712340000');
    expect(historyText(history)).toContain('creditLine');
    expect(JSON.stringify(history)).not.toContain('13712340000');
  });

  it('reads payloads nested anywhere: update args, activity input, marker details, memo, search attributes, headers; and failure messages', () => {
    const history: proto.temporal.api.history.v1.IHistory = {
      events: [
        { workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { input: { name: 'purchase', args: { payloads: [json({ note: 'update-arg-secret' })] }, header: { fields: { trace: json('header-secret') } } } } } },
        { activityTaskScheduledEventAttributes: { activityType: { name: 'post' }, input: { payloads: [json(['activity-input-secret'])] } } },
        { markerRecordedEventAttributes: { markerName: 'patch', details: { patch: { payloads: [json('marker-secret')] } } } },
        { upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { CustomerId: json('search-attribute-secret') } } } },
        { workflowPropertiesModifiedEventAttributes: { upsertedMemo: { fields: { owner: json({ name: 'memo-secret' }) } } } },
        { activityTaskFailedEventAttributes: { failure: { message: 'could not reach 13900001111', cause: { message: 'nested-cause-secret' } } } },
        { workflowTaskFailedEventAttributes: { cause: proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE, failure: { message: 'boom in workflow code' } } },
      ],
    };
    const text = historyText(history);
    const inPayloads = ['update-arg-secret', 'header-secret', 'activity-input-secret', 'marker-secret', 'search-attribute-secret', 'memo-secret'];
    for (const s of inPayloads) {
      expect(text).toContain(s);
      expect(JSON.stringify(history)).not.toContain(s);
    }
    for (const s of ['could not reach 13900001111', 'nested-cause-secret', 'boom in workflow code']) expect(text).toContain(s);
    // The encoding is readable (metadata values are decoded too).
    expect(text).toContain('json/plain');
  });

  it('undoes JSON escapes, and reads Buffers from the pool (byteOffset ≠ 0) and non-ASCII text', () => {
    const escaped: Payload = { metadata: { encoding: bytes('json/plain') }, data: bytes('{"name":"\\u5f20\\u4e09","quote":"say \\"hi-there\\""}') };
    const pooled = Buffer.from('padding:pooled-secret').subarray('padding:'.length);
    const history: proto.temporal.api.history.v1.IHistory = {
      events: [{ workflowExecutionSignaledEventAttributes: { signalName: 'note', input: { payloads: [escaped, { metadata: { encoding: bytes('binary/plain') }, data: pooled }, json('北京市朝阳区')] } } }],
    };
    const text = historyText(history);
    expect(text).toContain('张三');
    expect(text).toContain('say "hi-there"');
    expect(text).toContain('pooled-secret');
    expect(text).not.toContain('padding');
    expect(text).toContain('北京市朝阳区');
  });

  it('an empty history is empty text; binary/null payloads add nothing; a match cannot straddle two fields', () => {
    expect(historyText({})).toBe('');
    expect(historyText({ events: [] })).toBe('');
    const text = historyText({ events: [{ workflowExecutionCompletedEventAttributes: { result: { payloads: [{ metadata: { encoding: bytes('binary/null') }, data: new Uint8Array() }] } } },
      { workflowExecutionSignaledEventAttributes: { signalName: '137123', input: { payloads: [json('40000')] } } }] });
    expect(text).not.toContain('13712340000');
    expect(text.split('\n')).toEqual(['encoding', 'binary/null', '137123', 'encoding', 'json/plain', '"40000"']);
  });

  it('reads a history decoded from the wire as fetchHistory returns it (protobuf instances, defaults on their prototypes)', () => {
    const History = proto.temporal.api.history.v1.History;
    const wire = History.encode({ events: [{ workflowExecutionStartedEventAttributes: { workflowType: { name: 'creditLine' }, input: { payloads: [
      json({ customerId: 'C-1', phone: '13712340000', name: '张三' }), { metadata: { encoding: bytes('binary/null') } },
    ] } } }] }).finish();
    const decoded = History.decode(wire);
    const text = historyText(decoded);
    expect(text).toContain('13712340000');
    expect(text).toContain('张三');
    expect(text.split('\n')).toEqual(['creditLine', 'encoding', 'json/plain', JSON.stringify({ customerId: 'C-1', phone: '13712340000', name: '张三' }), 'encoding', 'binary/null']);
    expect(JSON.stringify(decoded)).not.toContain('13712340000');
  });

  it('masks a datum to its first 3 characters', () => {
    expect(maskDatum('13712340000')).toBe('137…');
  });
});
