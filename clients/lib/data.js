// Builders for the rows the tests need, made through the GraphQL API as a client would.

let counter = 0;
/** A name no other row of this run has. */
export function unique(prefix) {
  counter += 1;
  return `${prefix} ${process.pid}-${counter}`;
}

export async function createEvent(server, name = unique('Event'), eventDate = '2026-12-24') {
  const data = await server.gql(
    `mutation($input: CreateEventInput!) { createEvent(input: $input) { id name eventDate } }`,
    { input: { name, eventDate } },
  );
  return data.createEvent;
}

export async function createIngredient(server, name = unique('Ingredient')) {
  const data = await server.gql(
    `mutation($input: CreateIngredientInput!) { createIngredient(input: $input) { id name } }`,
    { input: { name, category: 'Test', unit: 'g' } },
  );
  return data.createIngredient;
}

export async function deleteIngredient(server, id) {
  const data = await server.gql(`mutation($id: ID!) { deleteIngredient(id: $id) { deletedId } }`, {
    id,
  });
  return data.deleteIngredient;
}

/** A recipe without lines (so baking it draws nothing) and a finished unit of it. */
export async function bakeable(server, name = unique('Cookie')) {
  const { createRecipe: recipe } = await server.gql(
    `mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id name } }`,
    { input: { name: `${name} Recipe`, category: 'Cookies', yieldQuantity: '24', yieldUnit: 'cookies' } },
  );
  const { createFinishedUnit: unit } = await server.gql(
    `mutation($input: CreateFinishedUnitInput!) { createFinishedUnit(input: $input) { id name } }`,
    {
      input: {
        name,
        recipeId: recipe.id,
        yieldMode: 'DISCRETE_COUNT',
        itemsPerBatch: 24,
        itemUnit: 'cookie',
      },
    },
  );
  return { recipe, unit };
}

export async function recordProduction(server, { recipe, unit }, eventId, numBatches = 1) {
  const data = await server.gql(
    `mutation($input: RecordProductionInput!) {
       recordProduction(input: $input) { productionRun { id numBatches actualYield } } }`,
    {
      input: {
        recipeId: recipe.id,
        finishedUnitId: unit.id,
        numBatches,
        actualYield: numBatches * 24,
        eventId,
      },
    },
  );
  return data.recordProduction.productionRun;
}
