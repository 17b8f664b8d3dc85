DROP INDEX "approvals_queue_idx";--> statement-breakpoint
DROP INDEX "approvals_line_idx";--> statement-breakpoint
CREATE INDEX "approvals_queue_idx" ON "approvals" USING btree ("status","requested_at","seq");--> statement-breakpoint
CREATE INDEX "approvals_line_idx" ON "approvals" USING btree ("credit_line_id","requested_at","seq");