import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils';
import proto from '@temporalio/proto';

/**
 * Histories as proto JSON, the format of `temporal workflow show --output json` and of the SDK's
 * historyToJSON/historyFromJSON (int64 as strings, enums by name, RFC 3339 timestamps).
 *
 * The SDK's own helpers throw "type must be a Type" in this install: npm nests a separate copy of
 * protobufjs 8 under each of @temporalio/common, /proto and /worker (the root holds protobufjs 7 for
 * @grpc/proto-loader), and the helpers hand @temporalio/proto's types to @temporalio/common's
 * protojson. Here the protojson of the copy that defined the types is used. Once the copies are one,
 * `historyFromJSON` reads these files as they are.
 */
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): History | null;
}
const protoRequire = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
const protojson = protoRequire('protobufjs/ext/protojson') as ProtoJson;
const HistoryType = proto.temporal.api.history.v1.History;

export function historyToJson(history: History): string {
  return `${JSON.stringify(protojson.toJson(HistoryType, HistoryType.fromObject(history)), null, 2)}\n`;
}

/** A History object (int64 as Long), as `Worker.runReplayHistory` takes it without converting it again. */
export function historyFromJson(text: string): History {
  const history = protojson.fromJson(HistoryType, JSON.parse(text), { ignoreUnknownFields: true });
  if (!history?.events?.length) throw new TypeError('not a history with events');
  return history;
}
