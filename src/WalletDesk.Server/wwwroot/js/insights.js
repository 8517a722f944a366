// The insights page's chart: next week's forecast tickets (line) and scheduled agents (bars), from the canvas's
// data attribute. Chart.js draws on the canvas and sets no inline styles we have to allow (CSP style-src 'self').
export function mount(canvas) {
  const data = JSON.parse(canvas.dataset.insightsChart || "{}");
  if (!window.Chart || !data.labels) { return; }
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  new window.Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "line", label: "Expected tickets", data: data.expected, borderColor: "#1d4ed8", backgroundColor: "#1d4ed8", pointRadius: 0, yAxisID: "tickets", tension: 0.2 },
        { type: "bar", label: "Scheduled agents", data: data.scheduled, backgroundColor: dark ? "#65a30d" : "#84cc16", yAxisID: "agents" },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { maxTicksLimit: 14, autoSkip: true } },
        tickets: { position: "left", beginAtZero: true, title: { display: true, text: "tickets per hour" } },
        agents: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "agents" } },
      },
    },
  });
}
