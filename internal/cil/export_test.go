package cil

// DorsetRules lends the instalment policy of policies_test.go to the
// package's external tests (notices_db_test.go).
const DorsetRules = dorsetRules
