CREATE TABLE "command_results" (
	"credit_line_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "command_results_credit_line_id_idempotency_key_pk" PRIMARY KEY("credit_line_id","idempotency_key")
);
