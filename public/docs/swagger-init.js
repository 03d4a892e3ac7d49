// Starts Swagger UI on Moa's own OpenAPI document (a file, not inline, so
// the page needs no 'unsafe-inline' script policy).
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
  });
});
