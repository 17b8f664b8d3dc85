CREATE TABLE "collection_cases" (
	"id" text PRIMARY KEY NOT NULL,
	"credit_line_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"status" text NOT NULL,
	"opened_dpd" integer NOT NULL,
	"due_date" text NOT NULL,
	"overdue_principal" bigint NOT NULL,
	"penalties" bigint NOT NULL,
	"fees" bigint NOT NULL,
	"total" bigint NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"close_reason" text,
	"seq" bigserial NOT NULL,
	CONSTRAINT "collection_cases_status_chk" CHECK ("collection_cases"."status" IN ('OPEN','CLOSED')),
	CONSTRAINT "collection_cases_close_reason_chk" CHECK ("collection_cases"."close_reason" IS NULL OR "collection_cases"."close_reason" IN ('CURED','CHARGED_OFF'))
);
--> statement-breakpoint
CREATE TABLE "collection_notes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"credit_line_id" text NOT NULL,
	"staff_id" text NOT NULL,
	"kind" text NOT NULL,
	"note" text NOT NULL,
	"promised_amount" bigint,
	"promised_date" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collection_notes_kind_chk" CHECK ("collection_notes"."kind" IN ('CONTACT','PROMISE_TO_PAY')),
	CONSTRAINT "collection_notes_promise_chk" CHECK ("collection_notes"."kind" <> 'PROMISE_TO_PAY' OR ("collection_notes"."promised_amount" > 0 AND "collection_notes"."promised_date" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "collection_notes" ADD CONSTRAINT "collection_notes_case_id_collection_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."collection_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "collection_cases_queue_idx" ON "collection_cases" USING btree ("status","due_date","seq");--> statement-breakpoint
CREATE INDEX "collection_cases_line_idx" ON "collection_cases" USING btree ("credit_line_id");--> statement-breakpoint
CREATE INDEX "collection_notes_case_idx" ON "collection_notes" USING btree ("case_id","id");--> statement-breakpoint
-- Staff notes on a collections case are a record, like the audit trail: appended, never changed.
CREATE TRIGGER collection_notes_append_only BEFORE UPDATE OR DELETE ON collection_notes
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER collection_notes_no_truncate BEFORE TRUNCATE ON collection_notes
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
