package web

import (
	"strings"

	"github.com/s106monitor/s106/internal/places"
)

// The public map's optional tile layer (issue 25, item 2): off unless
// S106_MAP_TILES_URL is set, when the tiles are drawn under the
// boundaries (places.Projection.Tiles) and the pages' Content-Security-
// Policy lets the browser fetch images from the tile server, and from no
// other host.

// tileSource is the configured tile server, if any.
func (app *Application) tileSource() places.TileSource {
	if places.CheckTileTemplate(app.Config.MapTilesURL) != nil {
		return places.TileSource{} // config.Load refused it already; a test's hand-built Config may not have
	}
	return places.TileSource{URL: app.Config.MapTilesURL, Attribution: app.Config.MapTilesAttribution}
}

// contentSecurityPolicyFor is contentSecurityPolicy with the tile
// server's origin added to img-src when one is configured.
func contentSecurityPolicyFor(tiles places.TileSource) string {
	origin := tiles.Origin()
	if origin == "" {
		return contentSecurityPolicy
	}
	return strings.Replace(contentSecurityPolicy, "img-src 'self' data:", "img-src 'self' data: "+origin, 1)
}
