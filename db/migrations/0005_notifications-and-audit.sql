CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"credit_line_id" text NOT NULL,
	"event_key" text NOT NULL,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "message_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"provider" text NOT NULL,
	"attempted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"result" text NOT NULL,
	"detail" text,
	CONSTRAINT "message_attempts_result_chk" CHECK ("message_attempts"."result" IN ('DELIVERED','FAILED','DEFERRED'))
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" text PRIMARY KEY NOT NULL,
	"credit_line_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"channel" text NOT NULL,
	"kind" text NOT NULL,
	"template" text NOT NULL,
	"params" jsonb NOT NULL,
	"locale" text NOT NULL,
	"text" text NOT NULL,
	"send_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"delivered_at" timestamp with time zone,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"seq" bigserial NOT NULL,
	CONSTRAINT "messages_channel_chk" CHECK ("messages"."channel" IN ('SMS','IN_APP')),
	CONSTRAINT "messages_status_chk" CHECK ("messages"."status" IN ('PENDING','DELIVERED','FAILED'))
);
--> statement-breakpoint
ALTER TABLE "message_attempts" ADD CONSTRAINT "message_attempts_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_event_action_idx" ON "audit_log" USING btree ("event_key","action");--> statement-breakpoint
CREATE INDEX "audit_log_line_idx" ON "audit_log" USING btree ("credit_line_id","id");--> statement-breakpoint
CREATE INDEX "message_attempts_message_idx" ON "message_attempts" USING btree ("message_id","id");--> statement-breakpoint
CREATE INDEX "messages_customer_inbox_idx" ON "messages" USING btree ("customer_id","channel","seq");--> statement-breakpoint
CREATE INDEX "messages_line_idx" ON "messages" USING btree ("credit_line_id","created_at");-- The audit trail is append-only, like the ledger: no row is ever edited or removed.
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
-- Delivery attempts are a record too: appended, never changed.
CREATE TRIGGER message_attempts_append_only BEFORE UPDATE OR DELETE ON message_attempts
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
