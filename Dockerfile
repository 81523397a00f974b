# The Agents silo image: `docker compose up` runs a cluster of these against pgvector/pgvector:pg17.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Silo/Agents.Silo.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["dotnet", "Agents.Silo.dll"]
CMD ["serve"]
