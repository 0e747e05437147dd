//! Aggregated ingredients of a recipe (SPEC §1.3): its own lines plus its sub-recipes'
//! lines multiplied through (component multiplier × batches, recursively), each converted
//! to the ingredient's stock unit and summed per ingredient.
//!
//! The math is exact: every product and sum is a [`Decimal`], and each ingredient's total is
//! rounded to the quantity scale (6 places) only once, at the end. The input is plain data
//! ([`RecipeTree`]), so the same function serves queries and the production transaction.

use crate::fixed::{round_to, Scale};
use crate::names::name_key;
use crate::units::{convert, ConversionError, Density, Unit};
use rust_decimal::Decimal;
use std::collections::HashMap;
use thiserror::Error;

/// One ingredient line of a recipe, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeLine {
    /// The ingredient's id.
    pub ingredient_id: i64,
    /// Quantity for one batch, in `unit`.
    pub quantity: Decimal,
    /// The line's unit.
    pub unit: Unit,
}

/// A sub-recipe used by a recipe.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeComponent {
    /// The sub-recipe's id.
    pub recipe_id: i64,
    /// Batches of the sub-recipe one batch of the parent takes.
    pub multiplier: Decimal,
}

/// One recipe of the tree: its lines and components.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TreeRecipe {
    /// Display name (for error messages).
    pub name: String,
    /// Ingredient lines.
    pub lines: Vec<TreeLine>,
    /// Sub-recipes.
    pub components: Vec<TreeComponent>,
}

/// What the math needs to know about an ingredient.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeIngredient {
    /// Display name (results are ordered by it; errors name it).
    pub name: String,
    /// The stock unit totals are given in.
    pub unit: Unit,
    /// Density, for mass ↔ volume.
    pub density: Option<Density>,
}

/// Recipes and ingredients as plain data: at least everything reachable from the recipes
/// to aggregate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecipeTree {
    /// Recipes by id.
    pub recipes: HashMap<i64, TreeRecipe>,
    /// Ingredients by id.
    pub ingredients: HashMap<i64, TreeIngredient>,
}

/// The total of one ingredient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregatedLine {
    /// The ingredient's id.
    pub ingredient_id: i64,
    /// The ingredient's name.
    pub ingredient_name: String,
    /// Total quantity, in `unit`, rounded to 6 places.
    pub quantity: Decimal,
    /// The ingredient's stock unit.
    pub unit: Unit,
}

/// Why a tree could not be aggregated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AggregateError {
    /// A line's unit cannot be converted to the ingredient's stock unit.
    #[error(transparent)]
    Conversion(#[from] ConversionError),
    /// The tree refers to a recipe it does not hold.
    #[error("recipe #{0} is missing from the recipe tree")]
    MissingRecipe(i64),
    /// The tree refers to an ingredient it does not hold.
    #[error("ingredient #{0} is missing from the recipe tree")]
    MissingIngredient(i64),
    /// The tree contains a cycle (names from the first repeated recipe back to itself).
    #[error("a recipe contains itself: {}", .0.join(" → "))]
    Cycle(Vec<String>),
    /// A total is too large to compute exactly.
    #[error("the quantities of \"{0}\" are too large to add up")]
    Overflow(String),
}

/// Aggregates the ingredients of `root` for `batches` batches, ordered by ingredient name
/// (case-insensitive, then id).
pub fn aggregate(
    tree: &RecipeTree,
    root: i64,
    batches: Decimal,
) -> Result<Vec<AggregatedLine>, AggregateError> {
    let mut totals: HashMap<i64, Decimal> = HashMap::new();
    let mut stack = Vec::new();
    walk(tree, root, batches, &mut stack, &mut totals)?;
    let mut lines = totals
        .into_iter()
        .map(|(id, total)| {
            let ingredient = &tree.ingredients[&id];
            AggregatedLine {
                ingredient_id: id,
                ingredient_name: ingredient.name.clone(),
                quantity: round_to(total, Scale::Quantity),
                unit: ingredient.unit,
            }
        })
        .collect::<Vec<_>>();
    lines.sort_by(|a, b| {
        name_key(&a.ingredient_name)
            .cmp(&name_key(&b.ingredient_name))
            .then(a.ingredient_id.cmp(&b.ingredient_id))
    });
    Ok(lines)
}

fn walk(
    tree: &RecipeTree,
    recipe_id: i64,
    factor: Decimal,
    stack: &mut Vec<i64>,
    totals: &mut HashMap<i64, Decimal>,
) -> Result<(), AggregateError> {
    let recipe = tree
        .recipes
        .get(&recipe_id)
        .ok_or(AggregateError::MissingRecipe(recipe_id))?;
    if let Some(start) = stack.iter().position(|id| *id == recipe_id) {
        let mut names: Vec<String> = stack[start..]
            .iter()
            .map(|id| tree.recipes[id].name.clone())
            .collect();
        names.push(recipe.name.clone());
        return Err(AggregateError::Cycle(names));
    }
    stack.push(recipe_id);
    for line in &recipe.lines {
        let ingredient = tree
            .ingredients
            .get(&line.ingredient_id)
            .ok_or(AggregateError::MissingIngredient(line.ingredient_id))?;
        let overflow = || AggregateError::Overflow(ingredient.name.clone());
        let per_batch = convert(
            line.quantity,
            line.unit,
            ingredient.unit,
            ingredient.density.as_ref(),
            &ingredient.name,
        )?;
        let amount = per_batch.checked_mul(factor).ok_or_else(overflow)?;
        let total = totals.entry(line.ingredient_id).or_default();
        *total = total.checked_add(amount).ok_or_else(overflow)?;
    }
    for component in &recipe.components {
        let sub_factor = factor
            .checked_mul(component.multiplier)
            .ok_or_else(|| AggregateError::Overflow(recipe.name.clone()))?;
        walk(tree, component.recipe_id, sub_factor, stack, totals)?;
    }
    stack.pop();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn u(s: &str) -> Unit {
        s.parse().unwrap()
    }
    fn line(ingredient_id: i64, quantity: &str, unit: &str) -> TreeLine {
        TreeLine {
            ingredient_id,
            quantity: d(quantity),
            unit: u(unit),
        }
    }
    fn ingredient(name: &str, unit: &str, density: Option<Density>) -> TreeIngredient {
        TreeIngredient {
            name: name.into(),
            unit: u(unit),
            density,
        }
    }

    /// Cookies (1) use dough (2) ×1.5 and glaze (3) ×0.5; dough uses glaze ×2 as well.
    fn bakery() -> RecipeTree {
        let flour_density = Density::new(d("1"), u("cup"), d("4.25"), u("oz")).unwrap();
        let mut tree = RecipeTree::default();
        tree.ingredients
            .insert(10, ingredient("flour", "g", Some(flour_density)));
        tree.ingredients.insert(11, ingredient("Butter", "g", None));
        tree.ingredients
            .insert(12, ingredient("eggs", "each", None));
        tree.ingredients
            .insert(13, ingredient("Vanilla", "ml", None));
        tree.recipes.insert(
            1,
            TreeRecipe {
                name: "Cookies".into(),
                lines: vec![line(12, "1", "dozen"), line(13, "1", "tsp")],
                components: vec![
                    TreeComponent {
                        recipe_id: 2,
                        multiplier: d("1.5"),
                    },
                    TreeComponent {
                        recipe_id: 3,
                        multiplier: d("0.5"),
                    },
                ],
            },
        );
        tree.recipes.insert(
            2,
            TreeRecipe {
                name: "Dough".into(),
                lines: vec![line(10, "2", "cup"), line(11, "1", "lb")],
                components: vec![TreeComponent {
                    recipe_id: 3,
                    multiplier: d("2"),
                }],
            },
        );
        tree.recipes.insert(
            3,
            TreeRecipe {
                name: "Glaze".into(),
                lines: vec![line(13, "1", "tsp"), line(11, "2", "oz")],
                components: vec![],
            },
        );
        tree
    }

    #[test]
    fn multiplies_sub_recipes_through_and_sums_per_ingredient() {
        let lines = aggregate(&bakery(), 1, d("2")).unwrap();
        let got: Vec<(&str, String, &str)> = lines
            .iter()
            .map(|l| {
                (
                    l.ingredient_name.as_str(),
                    l.quantity.to_string(),
                    l.unit.name(),
                )
            })
            .collect();
        // Glaze runs 2 × (0.5 + 1.5 × 2) = 7 times; dough 3 times.
        // Butter: 3 × 1 lb + 7 × 2 oz = 1360.77711 g + 396.89332375 g = 1757.67043375 g.
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], ("Butter", "1757.670434".to_string(), "g"));
        assert_eq!(got[1], ("eggs", "24".to_string(), "each"));
        // flour: 3 × 2 cup × (4.25 oz / cup) = 25.5 oz = 722.9128396875 g
        assert_eq!(got[2], ("flour", "722.91284".to_string(), "g"));
        // vanilla: (2 + 7) tsp = 9 × 4.92892159375 ml = 44.36029434375 ml
        assert_eq!(got[3], ("Vanilla", "44.360294".to_string(), "ml"));
    }

    #[test]
    fn reports_impossible_conversions_by_name() {
        let mut tree = bakery();
        tree.recipes.get_mut(&3).unwrap().lines[1] = line(11, "2", "tbsp");
        // Butter in tbsp without a density cannot become grams.
        let err = aggregate(&tree, 3, d("1")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot convert tbsp to g for \"Butter\": it has no density (say what a volume of it weighs)"
        );
    }

    #[test]
    fn converts_with_density_and_rounds_only_at_the_end() {
        let mut tree = bakery();
        tree.recipes.get_mut(&3).unwrap().lines[1] = line(11, "2", "tbsp");
        let butter = Density::new(d("1"), u("tbsp"), d("14.2"), u("g")).unwrap();
        tree.ingredients
            .insert(11, ingredient("Butter", "g", Some(butter)));
        let lines = aggregate(&tree, 1, d("2")).unwrap();
        // Butter: 3 lb = 1360.77711 g; 7 × 2 tbsp = 14 tbsp = 198.8 g; total 1559.57711 g.
        assert_eq!(lines[0].quantity, d("1559.57711"));
        // Vanilla rounded per line would be 9 × 4.928922 = 44.360298; summed exactly first
        // it is 44.36029434375 → 44.360294.
        assert_eq!(lines[3].quantity, d("44.360294"));
        // One batch of glaze alone.
        let glaze = aggregate(&tree, 3, d("1")).unwrap();
        assert_eq!(
            glaze
                .iter()
                .map(|l| (l.ingredient_name.clone(), l.quantity))
                .collect::<Vec<_>>(),
            vec![
                ("Butter".into(), d("28.4")),
                ("Vanilla".into(), d("4.928922"))
            ]
        );
    }

    #[test]
    fn fractional_batches_are_exact() {
        let mut tree = RecipeTree::default();
        tree.ingredients.insert(1, ingredient("Sugar", "g", None));
        tree.recipes.insert(
            7,
            TreeRecipe {
                name: "Syrup".into(),
                lines: vec![line(1, "100", "g")],
                components: vec![],
            },
        );
        let lines = aggregate(&tree, 7, d("0.333333")).unwrap();
        assert_eq!(lines[0].quantity, d("33.3333"));
        assert_eq!(lines[0].unit.name(), "g");
    }

    #[test]
    fn refuses_malformed_trees() {
        let mut tree = bakery();
        tree.recipes
            .get_mut(&3)
            .unwrap()
            .components
            .push(TreeComponent {
                recipe_id: 1,
                multiplier: d("1"),
            });
        let err = aggregate(&tree, 1, d("1")).unwrap_err();
        assert!(matches!(err, AggregateError::Cycle(_)), "{err}");
        let tree = RecipeTree::default();
        assert_eq!(
            aggregate(&tree, 5, d("1")),
            Err(AggregateError::MissingRecipe(5))
        );
    }
}
