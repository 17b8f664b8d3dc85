CREATE TABLE "decision_reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"credit_line_id" text NOT NULL,
	"decision_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"status" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"note" text,
	"seq" bigserial NOT NULL,
	CONSTRAINT "decision_reviews_status_chk" CHECK ("decision_reviews"."status" IN ('REQUESTED','UPHELD','REVERSED'))
);
--> statement-breakpoint
CREATE TABLE "line_decisions" (
	"credit_line_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"kind" text NOT NULL,
	"outcome" text NOT NULL,
	"reasons" text[] NOT NULL,
	"adverse" boolean NOT NULL,
	"decided_by" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"seq" bigserial NOT NULL,
	CONSTRAINT "line_decisions_credit_line_id_id_pk" PRIMARY KEY("credit_line_id","id"),
	CONSTRAINT "line_decisions_kind_chk" CHECK ("line_decisions"."kind" IN ('UNDERWRITING','SUSPENSION','LIMIT_CHANGE','PURCHASE_DECLINE'))
);
--> statement-breakpoint
CREATE TABLE "login_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"device_id" text NOT NULL,
	"ip" text NOT NULL,
	"city" text NOT NULL,
	"success" boolean NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "one_time_codes" (
	"credit_line_id" text NOT NULL,
	"purpose" text NOT NULL,
	"code_hash" text NOT NULL,
	"channel" text DEFAULT 'sms' NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"attempts_left" integer NOT NULL,
	"verified_at" timestamp with time zone,
	CONSTRAINT "one_time_codes_credit_line_id_purpose_pk" PRIMARY KEY("credit_line_id","purpose"),
	CONSTRAINT "one_time_codes_purpose_chk" CHECK ("one_time_codes"."purpose" IN ('REINSTATEMENT','CLOSURE')),
	CONSTRAINT "one_time_codes_attempts_chk" CHECK ("one_time_codes"."attempts_left" >= 0)
);
--> statement-breakpoint
CREATE TABLE "risk_events" (
	"id" text PRIMARY KEY NOT NULL,
	"credit_line_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"rule" text NOT NULL,
	"shadow" boolean NOT NULL,
	"figures" jsonb NOT NULL,
	"action" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"seq" bigserial NOT NULL,
	CONSTRAINT "risk_events_action_chk" CHECK ("risk_events"."action" IN ('NONE','DECLINE','SUSPEND')),
	CONSTRAINT "risk_events_shadow_chk" CHECK (NOT "risk_events"."shadow" OR "risk_events"."action" = 'NONE')
);
--> statement-breakpoint
CREATE UNIQUE INDEX "decision_reviews_decision_idx" ON "decision_reviews" USING btree ("credit_line_id","decision_id");--> statement-breakpoint
CREATE INDEX "decision_reviews_queue_idx" ON "decision_reviews" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "line_decisions_line_idx" ON "line_decisions" USING btree ("credit_line_id","seq");--> statement-breakpoint
CREATE INDEX "login_events_customer_idx" ON "login_events" USING btree ("customer_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "login_events_once_idx" ON "login_events" USING btree ("customer_id","device_id","occurred_at","success");--> statement-breakpoint
CREATE INDEX "risk_events_since_idx" ON "risk_events" USING btree ("occurred_at","seq");--> statement-breakpoint
CREATE INDEX "risk_events_line_idx" ON "risk_events" USING btree ("credit_line_id","seq");--> statement-breakpoint
-- Rule hits and automated decisions are records, like the audit trail: appended, never changed.
CREATE TRIGGER risk_events_append_only BEFORE UPDATE OR DELETE ON risk_events
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER risk_events_no_truncate BEFORE TRUNCATE ON risk_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER line_decisions_append_only BEFORE UPDATE OR DELETE ON line_decisions
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER line_decisions_no_truncate BEFORE TRUNCATE ON line_decisions
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
