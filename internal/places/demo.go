package places

import "embed"

// Demo holds the made-up council's directory slice and boundaries, in
// the real files' formats: demo/wessex-vale-onspd.csv (ONSPD columns),
// demo/wessex-vale-wards.geojson and demo/wessex-vale-parishes.geojson
// (ONS Open Geography GeoJSON). The seed loads them; tests use them.
//
//go:embed demo/*
var Demo embed.FS

// DemoLocalAuthority is the made-up council's local authority code.
const DemoLocalAuthority = "E07999901"
