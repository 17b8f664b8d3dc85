CREATE TABLE "approvals" (
	"id" text PRIMARY KEY NOT NULL,
	"credit_line_id" text NOT NULL,
	"kind" text NOT NULL,
	"request" jsonb NOT NULL,
	"maker_id" text NOT NULL,
	"status" text NOT NULL,
	"checker_id" text,
	"checker_note" text,
	"requested_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"result" jsonb,
	"seq" bigserial NOT NULL,
	CONSTRAINT "approvals_kind_chk" CHECK ("approvals"."kind" IN ('FEE_WAIVER','HARDSHIP_PLAN','LIMIT_ABOVE_MODEL','WRITE_OFF')),
	CONSTRAINT "approvals_status_chk" CHECK ("approvals"."status" IN ('PENDING','APPROVED','REJECTED','EXPIRED','FAILED')),
	CONSTRAINT "approvals_checker_chk" CHECK ("approvals"."checker_id" IS NULL OR "approvals"."checker_id" <> "approvals"."maker_id")
);
--> statement-breakpoint
CREATE INDEX "approvals_queue_idx" ON "approvals" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "approvals_line_idx" ON "approvals" USING btree ("credit_line_id","seq");