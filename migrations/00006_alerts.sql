-- +goose Up
-- Alerts: the rules and their admin-set thresholds, each alert created once
-- per (rule, subject, threshold), the users it is addressed to (with their
-- acknowledgement), each user's e-mail choice and the daily digests sent.

CREATE TABLE alert_rules (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    -- What the thresholds count: months, days or years ('' when the rule
    -- has no threshold).
    unit        text NOT NULL DEFAULT '' CHECK (unit IN ('', 'months', 'days', 'years')),
    thresholds  integer[] NOT NULL DEFAULT '{}'
                CHECK (0 <= ALL (thresholds) AND 1200 >= ALL (thresholds)),
    defaults    integer[] NOT NULL DEFAULT '{}',
    -- Spend-by alerts at or within this many months (and when passed) are
    -- escalated to managers.
    escalate_months integer CHECK (escalate_months BETWEEN 0 AND 120),
    enabled     boolean NOT NULL DEFAULT true,
    position    integer NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1,
    CHECK ((unit = '') = (cardinality(thresholds) = 0))
);

INSERT INTO alert_rules (code, name, description, unit, thresholds, defaults, escalate_months, position) VALUES
    ('spend-by', 'Spend-by deadline approaching', 'A receipt share has money unspent and its spend-by deadline is this many months away (and again when it has passed).', 'months', '{18,12,6,3}', '{18,12,6,3}', 6, 1),
    ('unallocated', 'Money received but not allocated', 'Money received more than this many months ago is not allocated to a project.', 'months', '{6}', '{6}', NULL, 2),
    ('no-invoice', 'Trigger met but no invoice', 'A financial obligation''s trigger was met more than this many days ago and no invoice has been issued.', 'days', '{30}', '{30}', NULL, 3),
    ('invoice-unpaid', 'Invoice unpaid after its due date', 'An invoice is not paid in full this many days after its due date.', 'days', '{0}', '{0}', NULL, 4),
    ('homes-breach', 'Affordable housing delivery trigger breached', 'More market homes are occupied than the agreement allows while affordable homes are not transferred.', '', '{}', '{}', NULL, 5),
    ('agreement-review', 'Agreement review due', 'An agreement signed more than this many years ago has obligations neither triggered nor discharged: review it (the s106A modification window is open).', 'years', '{5}', '{5}', NULL, 6),
    ('index-missing', 'Index value missing', 'An indexed obligation''s trigger is met and no invoice is issued, but the index value for the month of calculation (the month the trigger was met) is not entered.', '', '{}', '{}', NULL, 7),
    ('ifs-due', 'Infrastructure Funding Statement due', 'From 1 October until 31 December, while the statement for the financial year that ended on 31 March is not published.', '', '{}', '{}', NULL, 8);

CREATE TABLE alerts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_code      text NOT NULL REFERENCES alert_rules (code),
    subject_type   text NOT NULL CHECK (subject_type IN ('receipt-share', 'obligation', 'invoice', 'agreement', 'ifs')),
    subject_id     bigint NOT NULL,
    -- Which threshold: '18 months', 'passed', '30 days', '2027-03', 'breach'.
    threshold      text NOT NULL CHECK (btrim(threshold) <> ''),
    subject_label  text NOT NULL CHECK (btrim(subject_label) <> ''),
    link           text NOT NULL CHECK (link LIKE '/%'),
    detail         text NOT NULL DEFAULT '',
    amount         numeric(14,2) CHECK (amount >= 0),
    homes          integer CHECK (homes >= 0),
    deadline       date,
    agreement_id   bigint REFERENCES agreements (id),
    obligation_id  bigint REFERENCES obligations (id),
    officer_id     bigint REFERENCES users (id),
    service_area   text NOT NULL DEFAULT '',
    contact_name   text NOT NULL DEFAULT '',
    contact_email  text NOT NULL DEFAULT '',
    -- The role that receives the alert when no responsible officer is set.
    team_role      text NOT NULL CHECK (team_role IN ('officer', 'housing')),
    escalated      boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL,
    CONSTRAINT alerts_once UNIQUE (rule_code, subject_type, subject_id, threshold)
);
CREATE INDEX alerts_deadline_idx ON alerts (deadline, id);

CREATE TABLE alert_recipients (
    alert_id        bigint NOT NULL REFERENCES alerts (id),
    user_id         bigint NOT NULL REFERENCES users (id),
    reason          text NOT NULL CHECK (reason IN ('responsible', 'team', 'manager')),
    emailed         boolean NOT NULL DEFAULT false,
    digested_on     date,
    acknowledged_at timestamptz,
    ack_comment     text NOT NULL DEFAULT '',
    PRIMARY KEY (alert_id, user_id),
    CHECK ((acknowledged_at IS NULL) = (btrim(ack_comment) = ''))
);
CREATE INDEX alert_recipients_unread_idx ON alert_recipients (user_id) WHERE acknowledged_at IS NULL;
CREATE INDEX alert_recipients_user_idx ON alert_recipients (user_id, alert_id);

ALTER TABLE users
    ADD COLUMN alert_email text NOT NULL DEFAULT 'immediate' CHECK (alert_email IN ('immediate', 'digest', 'none'));

CREATE TABLE alert_digests (
    user_id bigint NOT NULL REFERENCES users (id),
    day     date NOT NULL,
    alerts  integer NOT NULL CHECK (alerts > 0),
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, day)
);

-- +goose Down
DROP TABLE alert_digests;
ALTER TABLE users DROP COLUMN alert_email;
DROP TABLE alert_recipients;
DROP TABLE alerts;
DROP TABLE alert_rules;
