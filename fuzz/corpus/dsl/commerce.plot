# Declarations shared by the commerce lifecycles of this catalog: a file without `name` is no
# lifecycle; others take its property sets and enums with `imports: [commerce.yaml]`.
description "Currencies and the order line."

properties line {
  properties: {
    sku: {type: string, required: true, pattern: "^[A-Z]{3}-[0-9]{4}$"},
    price: {type: number, required: true, minimum: 0, exclusiveMaximum: 100000},
    quantity: [
      {type: integer, required: true, minimum: 1, maximum: 10, until: "2.0"},
      {type: integer, required: true, minimum: 1, maximum: 99, since: "2.0"},
    ],
  },
}

enum currencies [EUR, USD, {value: GBP, label: "Pound sterling"}]
