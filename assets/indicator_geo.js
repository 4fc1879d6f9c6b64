// Plotly's map subplot loads a world base map (world_110m) from cdn.plot.ly even when every base
// layer is hidden; the Content Security Policy rightly blocks that request and the map would fail.
// The dashboard's maps draw only the LA boundaries served from /assets, so an empty base map is
// registered here and Plotly never fetches one.
(function () {
  "use strict";
  var empty = { type: "GeometryCollection", geometries: [] };
  var objects = {};
  ["land", "ocean", "lakes", "rivers", "countries", "coastlines", "subunits"].forEach(
    function (name) {
      objects[name] = empty;
    }
  );
  window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
  window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
  window.PlotlyGeoAssets.topojson.world_110m = { type: "Topology", objects: objects, arcs: [] };
})();
