package homes

// Statutory exits and the landlord they belong to.
//
// Right to buy: Housing Act 1985 s.118(1): "A secure tenant has the right
// to buy, that is to say, the right ... (a) if the dwelling-house is a
// house and the landlord owns the freehold, to acquire the freehold of the
// dwelling-house; (b) if the landlord does not own the freehold or if the
// dwelling-house is a flat ..., to be granted a lease of the
// dwelling-house." A tenancy is secure only while "the interest of the
// landlord belongs to" a local authority or another body listed in s.80
// (the landlord condition), so for homes let since 1989 the right to buy
// belongs to council tenants.
//
// Right to acquire: Housing Act 1996 s.16(1): "A tenant of a registered
// social landlord has the right to acquire the dwelling of which he is a
// tenant if— (a) he is a tenant under an assured tenancy, other than an
// assured shorthold tenancy or a long tenancy, or under a secure tenancy,
// (b) the dwelling was provided with public money and has remained in the
// social rented sector ..."; in England now the Housing and Regeneration
// Act 2008 s.180(1): "The tenant of a dwelling in England has a right to
// acquire the dwelling if— (a) the landlord is a private registered
// provider or a registered social landlord ...".
//
// So a home held by a council can leave by right to buy but not right to
// acquire; a home held by a housing association (private registered
// provider) by right to acquire but not right to buy (tenants transferred
// from a council with a "preserved" right to buy are outside S106 homes,
// which are let new); a home held by a landlord that is not a registered
// provider by neither. Where no provider is recorded the rule cannot be
// judged and the exit is accepted.

// exitMismatch returns why the exit route kind does not fit a home held by
// a provider of type t, or "" when it fits (or cannot be judged).
func exitMismatch(kind EventKind, t ProviderType, provider string) string {
	switch {
	case kind == EventRightToBuy && t == PrivateRegisteredProvider:
		return "Right to buy belongs to council tenants (Housing Act 1985). " + provider +
			" is a housing association, whose tenants have the right to acquire (Housing Act 1996): record right to acquire instead"
	case kind == EventRightToAcquire && t == LocalAuthority:
		return "Right to acquire belongs to housing association tenants (Housing Act 1996). " + provider +
			" is a council, whose tenants have the right to buy (Housing Act 1985): record right to buy instead"
	case (kind == EventRightToBuy || kind == EventRightToAcquire) && t == OtherProvider:
		return provider + " is not a registered provider, so its tenants have neither the right to buy nor the right to acquire: record a sale or another exit instead"
	}
	return ""
}
