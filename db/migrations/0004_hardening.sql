CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"hits" integer NOT NULL,
	"reset_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rejected_line_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"credit_line_id" text NOT NULL,
	"event_key" text NOT NULL,
	"kind" text,
	"sqlstate" text,
	"constraint_name" text,
	"reason" text NOT NULL,
	"rejected_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Transaction ids are unique per line, not across lines (two lines may generate the same id).
ALTER TABLE "transactions" DROP CONSTRAINT "transactions_pkey";--> statement-breakpoint
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_credit_line_id_id_pk" PRIMARY KEY("credit_line_id","id");--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "credit_lines" ADD COLUMN "state" jsonb;--> statement-breakpoint
CREATE INDEX "rate_limits_reset_idx" ON "rate_limits" USING btree ("reset_at");--> statement-breakpoint
CREATE INDEX "rejected_line_events_line_idx" ON "rejected_line_events" USING btree ("credit_line_id","id");--> statement-breakpoint
-- Declined applications no longer hold the customer's one line; of several still open (before this
-- rule), the first keeps the slot and the later ones stop holding it (their lines live on).
UPDATE "applications" SET "ended_at" = "updated_at" WHERE "status" = 'DECLINED';--> statement-breakpoint
UPDATE "applications" a SET "ended_at" = now() WHERE a."ended_at" IS NULL AND EXISTS (
  SELECT 1 FROM "applications" b WHERE b."customer_id" = a."customer_id" AND b."ended_at" IS NULL AND (b."created_at", b."id") < (a."created_at", a."id")
);--> statement-breakpoint
CREATE UNIQUE INDEX "applications_one_open_per_customer_idx" ON "applications" USING btree ("customer_id") WHERE "applications"."ended_at" IS NULL;