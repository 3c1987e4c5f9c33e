FROM python:3.11-slim
WORKDIR /app
# aiortc and av ship wheels; nothing to compile.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY server server
COPY signaling signaling
COPY db db
COPY webclient webclient
RUN useradd --system clinic
USER clinic
EXPOSE 8080
# DATABASE_URL must be set: production never starts the embedded PostgreSQL.
CMD ["python", "-m", "server"]
