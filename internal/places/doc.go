// Package places says where things are: the council's slice of the ONS
// Postcode Directory (LoadONSPD), the boundaries of its wards and parishes
// from ONS Open Geography GeoJSON (LoadBoundaries), the developments
// nearest a postcode or place (Near), and the server-drawn SVG map of them
// (Map).
//
// Distances are great-circle distances on the WGS84 latitude and
// longitude the ONSPD publishes (haversine); nothing here needs PostGIS or
// a tile server. What the public may see of a development is decided by
// internal/public; this package only reads development ids and positions
// and leaves the rest to its callers.
//
// It never imports web or templates.
package places
