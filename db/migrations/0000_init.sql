CREATE TABLE "applications" (
	"id" text PRIMARY KEY NOT NULL,
	"credit_line_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"product_id" text NOT NULL,
	"phone" text NOT NULL,
	"monthly_income" bigint NOT NULL,
	"employment_months" integer NOT NULL,
	"age" integer NOT NULL,
	"statement_day" integer NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "applications_credit_line_id_unique" UNIQUE("credit_line_id"),
	CONSTRAINT "applications_status_chk" CHECK ("applications"."status" IN ('UNDERWRITING','MANUAL_REVIEW','APPROVED','DECLINED')),
	CONSTRAINT "applications_statement_day_chk" CHECK ("applications"."statement_day" BETWEEN 1 AND 28),
	CONSTRAINT "applications_income_chk" CHECK ("applications"."monthly_income" >= 0)
);
--> statement-breakpoint
CREATE TABLE "credit_lines" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"product_id" text NOT NULL,
	"application_id" text NOT NULL,
	"status" text NOT NULL,
	"suspension_reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"limit" bigint NOT NULL,
	"available" bigint NOT NULL,
	"balance" bigint NOT NULL,
	"statement_day" integer NOT NULL,
	"next_statement_date" text,
	"current_due" jsonb,
	"days_past_due" integer DEFAULT 0 NOT NULL,
	"opened_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"version" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_lines_limit_chk" CHECK ("credit_lines"."limit" >= 0)
);
--> statement-breakpoint
CREATE TABLE "underwriting_decisions" (
	"application_id" text PRIMARY KEY NOT NULL,
	"decision" text NOT NULL,
	"probability_of_default" real NOT NULL,
	"limit" bigint,
	"model_version" text NOT NULL,
	"features" jsonb NOT NULL,
	"reason_codes" text[] NOT NULL,
	"decided_by" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	CONSTRAINT "underwriting_decisions_decision_chk" CHECK ("underwriting_decisions"."decision" IN ('APPROVE','MANUAL_REVIEW','DECLINE'))
);
--> statement-breakpoint
ALTER TABLE "credit_lines" ADD CONSTRAINT "credit_lines_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "underwriting_decisions" ADD CONSTRAINT "underwriting_decisions_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "applications_customer_idx" ON "applications" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "credit_lines_customer_idx" ON "credit_lines" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "credit_lines_status_idx" ON "credit_lines" USING btree ("status","days_past_due");