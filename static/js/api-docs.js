// The API reference page: Swagger UI on this site's own copy of the OpenAPI description.
// "Try it out" from this page carries the session cookie, so writes also send the page's CSRF token
// (the API checks CSRF on every write that carries a cookie; scripts with a token and no cookie need none).
(function () {
  var root = document.getElementById("swagger-ui");
  var csrf = root.getAttribute("data-csrf-token");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
    requestInterceptor: function (request) {
      if (request.method && request.method.toUpperCase() !== "GET") {
        request.headers["X-CSRFToken"] = csrf;
      }
      return request;
    }
  });
})();
