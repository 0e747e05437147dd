// Starts GraphiQL on /graphiql (served by src/http/graphiql.rs with the pinned, embedded
// React, ReactDOM, graphql-ws and GraphiQL bundles loaded before it as globals).
//
// Queries and mutations go to /graphql on this origin; subscriptions to the same path
// over ws:// or wss:// on this page's own host, so the playground works behind any host,
// port or TLS proxy. The editors follow the URL (?query=, variables, operationName), so
// a link opens the playground on a given operation; the headers editor does not, so a
// token pasted there never lands in a URL or the browser's history. Requests carry the
// headers editor's JSON (e.g. {"Authorization": "Bearer bp_…"}) as HTTP headers, and
// subscriptions send it as their connection_init payload, where the server reads the token.
(function () {
  'use strict';

  var params = new URLSearchParams(window.location.search);
  var socketScheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
  var headers = '';

  var wsClient = window.graphqlWs.createClient({
    url: socketScheme + window.location.host + '/graphql',
    lazy: true,
    connectionParams: function () {
      try {
        var parsed = JSON.parse(headers || '{}');
        return parsed && typeof parsed === 'object' ? parsed : {};
      } catch (e) {
        return {};
      }
    },
  });
  var fetcher = window.GraphiQL.createFetcher({ url: '/graphql', wsClient: wsClient });

  function remember(name) {
    return function (value) {
      if (value) {
        params.set(name, value);
      } else {
        params.delete(name);
      }
      var search = params.toString();
      window.history.replaceState(null, '', window.location.pathname + (search ? '?' + search : ''));
    };
  }

  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    window.React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      query: params.get('query') || undefined,
      variables: params.get('variables') || undefined,
      operationName: params.get('operationName') || undefined,
      onEditQuery: remember('query'),
      onEditVariables: remember('variables'),
      onEditOperationName: remember('operationName'),
      onEditHeaders: function (value) {
        headers = value;
      },
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: true,
    })
  );
})();
