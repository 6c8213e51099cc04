// Renders each chart of the page: its Vega-Lite spec (built on the server with altair) sits in
// a JSON script element named by the figure's data-vega-spec; vegaEmbed comes from the
// locally served vega bundle. No chart is drawn by hand here.
for (const figure of document.querySelectorAll("[data-vega-spec]")) {
  const spec = JSON.parse(document.getElementById(figure.dataset.vegaSpec).textContent);
  window.vegaEmbed(figure, spec, { actions: false, renderer: "svg" })
    .then(() => figure.setAttribute("data-rendered", "true"))
    .catch((error) => { figure.textContent = "The chart could not be drawn: " + error; });
}
