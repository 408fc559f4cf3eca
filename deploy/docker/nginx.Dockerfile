# nginx with deploy/readyz-watch.py beside it: the watcher asks each app server's /readyz every second and marks
# a failing one `down` in the upstream list, then reloads nginx (open-source nginx has no active health checks).
FROM nginx:1.22
RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
COPY deploy/readyz-watch.py /usr/local/bin/readyz-watch.py
COPY deploy/nginx/marketplace.conf /etc/nginx/conf.d/default.conf
COPY deploy/nginx/compose-upstream.conf /etc/nginx/marketplace-upstream.conf
COPY static /srv/marketplace/static
CMD ["sh", "-c", "python3 /usr/local/bin/readyz-watch.py --upstream /etc/nginx/marketplace-upstream.conf --reload 'nginx -s reload' $APP_SERVERS & exec nginx -g 'daemon off;'"]
