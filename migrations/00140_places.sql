-- +goose Up
-- Where I live (issue 25, item 1 and 2): the council's slice of the ONS
-- Postcode Directory and the boundaries of its wards and parishes.
--
-- postcodes holds one row per live postcode in the council's area, loaded
-- from the ONSPD CSV (places.LoadONSPD keeps only rows whose local
-- authority column equals S106_LOCAL_AUTHORITY_CODE). The key is the
-- postcode without spaces in capitals, so "wv3 7qa" and "WV37QA" find it.
CREATE TABLE postcodes (
    postcode    text PRIMARY KEY CHECK (postcode ~ '^[A-Z0-9]{5,7}$'),
    pcds        text NOT NULL CHECK (btrim(pcds) <> ''), -- as printed: "WV3 7QA"
    latitude    numeric(8,6) NOT NULL CHECK (latitude BETWEEN 49 AND 61),
    longitude   numeric(9,6) NOT NULL CHECK (longitude BETWEEN -9 AND 2),
    ward_code   text NOT NULL DEFAULT '',
    parish_code text NOT NULL DEFAULT '',
    lad_code    text NOT NULL DEFAULT ''
);

-- areas are the wards and parishes drawn on the public map, loaded from
-- ONS Open Geography GeoJSON (places.LoadBoundaries). geometry is the
-- feature's GeoJSON geometry (Polygon or MultiPolygon, WGS84); the
-- bounding box and centre are kept so that a map and "near this place"
-- need not parse it.
CREATE TABLE areas (
    kind       text NOT NULL CHECK (kind IN ('ward', 'parish')),
    code       text NOT NULL CHECK (btrim(code) <> ''),
    name       text NOT NULL CHECK (btrim(name) <> ''),
    geometry   jsonb NOT NULL,
    min_lat    double precision NOT NULL,
    min_lon    double precision NOT NULL,
    max_lat    double precision NOT NULL,
    max_lon    double precision NOT NULL,
    PRIMARY KEY (kind, code),
    CHECK (min_lat <= max_lat AND min_lon <= max_lon)
);
CREATE INDEX areas_name_idx ON areas (kind, lower(name));

-- development_places says where each development is: its own
-- coordinates, or else its postcode's (so a development typed without
-- coordinates is still on the map and in "near me"); its ward as the
-- officers typed it, or else its postcode's; its parish from its
-- postcode. One owner for "where is this development", read by the map,
-- the postcode search, the ward and parish pages and the councillor's
-- view.
CREATE VIEW development_places AS
SELECT d.id AS development_id,
       coalesce(d.latitude, pc.latitude)::double precision AS latitude,
       coalesce(d.longitude, pc.longitude)::double precision AS longitude,
       (d.latitude IS NULL AND pc.latitude IS NOT NULL) AS located_by_postcode,
       coalesce(nullif(btrim(d.ward), ''), w.name, '') AS ward,
       coalesce(p.name, '') AS parish
FROM developments d
LEFT JOIN postcodes pc ON pc.postcode = upper(replace(d.postcode, ' ', ''))
LEFT JOIN areas w ON w.kind = 'ward' AND w.code = pc.ward_code
LEFT JOIN areas p ON p.kind = 'parish' AND p.code = pc.parish_code;

-- +goose Down
DROP VIEW development_places;
DROP TABLE areas;
DROP TABLE postcodes;
