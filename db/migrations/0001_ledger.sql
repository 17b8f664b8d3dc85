CREATE TABLE "installments" (
	"credit_line_id" text NOT NULL,
	"plan_id" text NOT NULL,
	"seq" integer NOT NULL,
	"statement_id" text NOT NULL,
	"due_date" text NOT NULL,
	"principal" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"principal_paid" bigint DEFAULT 0 NOT NULL,
	"fee_paid" bigint DEFAULT 0 NOT NULL,
	"fee_waived" bigint DEFAULT 0 NOT NULL,
	"billed" boolean DEFAULT false NOT NULL,
	"apr" real NOT NULL,
	"converted_on" text NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "installments_credit_line_id_plan_id_seq_pk" PRIMARY KEY("credit_line_id","plan_id","seq")
);
--> statement-breakpoint
CREATE TABLE "journal_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"credit_line_id" text NOT NULL,
	"kind" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journal_entries_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "ledger_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"credit_line_id" text,
	"code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "postings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entry_id" bigint NOT NULL,
	"account_id" text NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "postings_amount_nonzero_chk" CHECK ("postings"."amount" <> 0)
);
--> statement-breakpoint
CREATE TABLE "statements" (
	"credit_line_id" text NOT NULL,
	"id" text NOT NULL,
	"period_start" text NOT NULL,
	"period_end" text NOT NULL,
	"statement_date" text NOT NULL,
	"due_date" text NOT NULL,
	"opening_balance" bigint NOT NULL,
	"purchases" bigint NOT NULL,
	"refunds" bigint NOT NULL,
	"repayments" bigint NOT NULL,
	"fees" bigint NOT NULL,
	"penalties" bigint NOT NULL,
	"closing_balance" bigint NOT NULL,
	"amount_due" bigint NOT NULL,
	"paid_amount" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "statements_credit_line_id_id_pk" PRIMARY KEY("credit_line_id","id"),
	CONSTRAINT "statements_status_chk" CHECK ("statements"."status" IN ('OPEN','PAID','INSTALLMENTS','OVERDUE','CHARGED_OFF'))
);
--> statement-breakpoint
CREATE TABLE "transactions" (
	"id" text PRIMARY KEY NOT NULL,
	"credit_line_id" text NOT NULL,
	"entry_id" bigint,
	"kind" text NOT NULL,
	"amount" bigint NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"seq" bigserial NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credit_lines" ADD COLUMN "principal" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_lines" ADD COLUMN "installment_principal" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_lines" ADD COLUMN "installment_fees" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_lines" ADD COLUMN "penalties" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_lines" ADD COLUMN "credit_balance" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "postings" ADD CONSTRAINT "postings_entry_id_journal_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."journal_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "postings" ADD CONSTRAINT "postings_account_id_ledger_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."ledger_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_entry_id_journal_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."journal_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "journal_entries_line_idx" ON "journal_entries" USING btree ("credit_line_id","id");--> statement-breakpoint
CREATE INDEX "ledger_accounts_line_idx" ON "ledger_accounts" USING btree ("credit_line_id");--> statement-breakpoint
CREATE INDEX "postings_entry_idx" ON "postings" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "postings_account_idx" ON "postings" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "transactions_line_seq_idx" ON "transactions" USING btree ("credit_line_id","seq");