-- +goose Up
-- Background work: the scheduler's jobs and their runs, and the e-mail
-- outbox. Jobs are run by one app instance at a time (a session-level
-- advisory lock per job, held on a dedicated connection for the whole run,
-- plus the next_run_at claim below; see internal/scheduler), so two
-- instances sharing this database never both run a job. E-mails are written to mail_outbox in the same
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
    -- 'abandoned': the instance stopped (crash, kill) before the run
    -- finished; found and marked by the next run of the job.
    outcome     text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed', 'abandoned')),
    summary     text NOT NULL DEFAULT '',
    error       text NOT NULL DEFAULT '',
    CHECK ((outcome = 'running') = (finished_at IS NULL)),
    CHECK (finished_at IS NULL OR finished_at >= started_at)
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
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '',
    -- Set (and committed) just before the SMTP conversation starts and
    -- cleared when its outcome is recorded. Still set long afterwards means
    -- the process died mid-send: the outcome is unknown, so the message is
    -- not sent again automatically (see internal/mail).
    sending_since   timestamptz,
    sent_at         timestamptz,
    -- Given up after too many attempts; an admin can retry.
    failed_at       timestamptz,
    CHECK (sent_at IS NULL OR failed_at IS NULL),
    CHECK (sent_at IS NULL OR sending_since IS NULL)
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
