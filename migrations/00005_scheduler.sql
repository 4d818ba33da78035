-- +goose Up
-- Background work: the scheduler's jobs and their runs, and the e-mail
-- outbox. Jobs are run by one app instance at a time (a transaction-level
-- advisory lock per job, taken with pg_try_advisory_xact_lock, plus the
-- next_run_at claim below), so two instances sharing this database never
-- both run a job. E-mails are written to mail_outbox in the same
-- transaction as whatever caused them and delivered later with retries, so
-- an SMTP outage loses nothing and a crash never sends twice.

CREATE TABLE scheduler_jobs (
    name          text PRIMARY KEY CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    description   text NOT NULL DEFAULT '',
    every_seconds integer NOT NULL CHECK (every_seconds > 0),
    next_run_at   timestamptz NOT NULL DEFAULT now(),
    enabled       boolean NOT NULL DEFAULT true
);

CREATE TABLE job_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_name    text NOT NULL REFERENCES scheduler_jobs (name),
    instance    text NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    outcome     text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed')),
    summary     text NOT NULL DEFAULT '',
    error       text NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job_idx ON job_runs (job_name, started_at DESC);

CREATE TABLE mail_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- What the message is about, unique, so enqueueing twice is harmless.
    idempotency_key text NOT NULL UNIQUE,
    recipient       text NOT NULL CHECK (recipient ~ '^[^@\s]+@[^@\s]+$'),
    subject         text NOT NULL CHECK (btrim(subject) <> ''),
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '',
    sent_at         timestamptz,
    -- Given up after too many attempts; an admin can retry.
    failed_at       timestamptz
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Publication: an agreement can be
-- withheld from the public pages (legal dispute, say) with a reason; it
-- still counts in the public totals.
ALTER TABLE agreements
    ADD COLUMN publication_withheld_reason text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE agreements DROP COLUMN publication_withheld_reason;
DROP TABLE mail_outbox;
DROP TABLE job_runs;
DROP TABLE scheduler_jobs;
