-- +goose Up
-- Single sign-on with OpenID Connect (issue 23, item 1).
--
-- sso_identities links an identity provider's user (its issuer and the
-- stable subject it gives them: Entra ID's per-application "sub", Google's
-- account number) to a user here, so a changed e-mail address at the
-- provider still signs in the same person.
CREATE TABLE sso_identities (
    issuer       text NOT NULL CHECK (issuer <> ''),
    subject      text NOT NULL CHECK (subject <> ''),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_identities_user_idx ON sso_identities (user_id);

-- The provider's session ids ("sid") of users' sign-ins, so a back-channel
-- logout that names only the provider's session finds whose sessions here
-- to end.
CREATE TABLE sso_sessions (
    issuer     text NOT NULL,
    sid        text NOT NULL CHECK (sid <> ''),
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, sid, user_id)
);

-- Which of the provider's group or app-role values gives which role here.
-- The administrator sets these (audited); a user none of whose values is
-- mapped gets no access.
CREATE TABLE sso_role_mappings (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_value text NOT NULL CHECK (btrim(claim_value) = claim_value AND claim_value <> '' AND length(claim_value) <= 300),
    role        text NOT NULL CHECK (role IN ('admin', 'officer', 'housing', 'manager', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (claim_value, role)
);

-- Back-channel logout tokens already acted on (their "jti"), so a captured
-- token cannot be replayed; kept for a day past the token's expiry.
CREATE TABLE sso_logout_tokens (
    jti        text PRIMARY KEY CHECK (jti <> '' AND length(jti) <= 300),
    expires_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE sso_logout_tokens;
DROP TABLE sso_role_mappings;
DROP TABLE sso_sessions;
DROP TABLE sso_identities;
