ALTER TABLE "command_results" ALTER COLUMN "result" SET DATA TYPE json USING "result"::json;
